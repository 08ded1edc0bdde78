"""Writes the import corpus: web pages made to look like the kinds people import (a WordPress blog, a news site,
a Medium-style post, a newsletter, a documentation page, a Chinese news page in GBK, a page of bare <div>s, a
listicle), each with the chrome real pages carry (navigation, sidebars, share buttons, newsletter boxes,
related posts, comments, cookie notices, footers), and beside each its expectations: title, byline, headings,
sentences that must be imported and sentences that must not.

`python tests/corpus/pages/make.py` rewrites the files; they are committed, so the tests and the bench read
fixed bytes. The article texts are written for this corpus."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

HERE = Path(__file__).parent


@dataclass
class Article:
    title: str
    byline: str | None
    intro: list[str]
    sections: list[tuple[str, list[str]]]
    chrome: list[str] = field(default_factory=list)  # sentences of the page around the article
    shown_byline: str | None = None  # how the import names several authors, when the page lists them


def body_html(a: Article, p_tag: str = "p", head_tag: str = "h2") -> str:
    out = [f"<{p_tag}>{escape(p)}</{p_tag.split()[0]}>" for p in a.intro]
    for heading, paragraphs in a.sections:
        out.append(f"<{head_tag}>{escape(heading)}</{head_tag.split()[0]}>")
        for p in paragraphs:
            if p.startswith("• "):
                out.append(f"<ul><li>{escape(p[2:])}</li></ul>")
            elif p.startswith("> "):
                out.append(f"<blockquote><p>{escape(p[2:])}</p></blockquote>")
            else:
                out.append(f"<{p_tag}>{escape(p)}</{p_tag.split()[0]}>")
    return "\n".join(out)


def expectations(a: Article, title: str | None = None) -> dict[str, object]:
    must = [p.removeprefix("• ").removeprefix("> ") for p in a.intro]
    for _, paragraphs in a.sections:
        must += [p.removeprefix("• ").removeprefix("> ") for p in paragraphs]
    return {"title": title or a.title, "byline": a.shown_byline or a.byline, "headings": [h for h, _ in a.sections],
            "must": must, "never": a.chrome}


def wordpress() -> tuple[str, Article, str]:
    a = Article(
        "How Chengdu Learned to Love Its Tea Houses Again", "Mei Lin",
        ["Ten years ago the old tea houses along the river were closing one after another.",
         "Today young people queue on weekday evenings for a bamboo chair and a bottomless cup of jasmine tea."],
        [("A place to sit for free", ["Most tea houses charge for the tea and nothing for the time you stay.",
                                      "Students bring laptops, retirees bring cards, and nobody is asked to leave."]),
         ("The new owners", ["Many of the reopened tea houses are run by people who grew up in them.",
                             "One owner said her grandmother's customers now bring their grandchildren."]),
         ("What it costs", ["A cup costs between fifteen and forty yuan depending on the leaves.",
                            "Refills of hot water are free, which is why an afternoon can cost less than a coffee."])],
        ["Recent Posts from the blog archive appear here.", "Share this on your favourite network today.",
         "Leave a reply: your email address will not be published.",
         "Great article, I visited the Heming tea house last spring and loved it.",
         "This website uses cookies to improve your experience.",
         "Copyright 2025 Sichuan Slow Travel. All rights reserved."])
    page = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{escape(a.title)} | Sichuan Slow Travel</title>
<meta property="og:site_name" content="Sichuan Slow Travel"></head><body class="post-template">
<div class="cookie-notice">{a.chrome[4]} <button>Accept</button></div>
<header class="site-header"><a href="/">Sichuan Slow Travel</a><nav><ul><li><a href="/">Home</a></li>
<li><a href="/food">Food</a></li><li><a href="/about">About</a></li></ul></nav></header>
<div class="content-area"><main id="main" class="site-main"><article class="post type-post">
<header class="entry-header"><h1 class="entry-title">{escape(a.title)}</h1>
<div class="entry-meta">By <span class="author vcard"><a href="/author/mei">{a.byline}</a></span>
<time datetime="2025-03-03">March 3, 2025</time></div></header>
<div class="entry-content">{body_html(a)}</div>
<footer class="entry-footer"><div class="sharedaddy"><h3>Share this:</h3><p>{a.chrome[1]}</p></div></footer>
</article>
<div id="comments" class="comments-area"><h2 class="comments-title">One thought on this post</h2>
<ol class="comment-list"><li class="comment"><p>{a.chrome[3]}</p></li></ol>
<div id="respond"><h3>Leave a Reply</h3><p>{a.chrome[2]}</p></div></div></main>
<aside id="secondary" class="widget-area"><section class="widget"><h2>Recent Posts</h2><p>{a.chrome[0]}</p>
<ul><li><a href="/p/1">Noodles at dawn</a></li><li><a href="/p/2">The pandas can wait</a></li></ul></section></aside>
</div><footer class="site-footer"><p>{a.chrome[5]}</p></footer></body></html>"""
    return "wordpress_blog", a, page


def news() -> tuple[str, Article, str]:
    a = Article(
        "Night Trains Return to Europe's Timetables", "Jonas Berg and Ana Ruiz",
        ["Three new overnight routes start running this month, linking cities that lost their sleepers decades ago.",
         "Operators say bookings for the first weeks sold out within days of going on sale."],
        [("Why now", ["Cheaper rolling stock and travellers avoiding short flights changed the numbers.",
                      "Governments have also cut the track charges that made night services unprofitable."]),
         ("The routes", ["• Vienna to Paris three times a week, with couchettes and private cabins.",
                         "• Brussels to Prague daily, stopping in Berlin after midnight.",
                         "Each route is run by a different operator sharing one booking system."]),
         ("What travellers say", ["> It feels like the journey is part of the holiday again.",
                                  "Families in particular like arriving rested without an early start."])],
        ["Subscribe for unlimited access to every story.", "Sign up for our daily newsletter for the morning news.",
         "Read more: the best budget hotels near the station.", "Most read stories this week on our site.",
         "© 2025 The Continental Ledger. All rights reserved."])
    page = f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>{escape(a.title)} - The Continental Ledger</title><meta name="author" content="{a.byline}"></head>
<body><div class="topbar"><p>{a.chrome[0]}</p></div>
<nav class="breadcrumbs"><a href="/">News</a> › <a href="/travel">Travel</a></nav>
<div class="story"><h1 class="headline">{escape(a.title)}</h1><p class="byline">By {a.byline}</p>
<p class="timestamp">Published March 3, 2025</p><div class="story-body">
{body_html(a).replace("<h2>Why now</h2>", f'<div class="newsletter-box"><p>{a.chrome[1]}</p></div><h2>Why now</h2>')}
<p class="related"><a href="/hotels">{a.chrome[2]}</a></p></div></div>
<div class="most-read"><h3>Most read</h3><p>{a.chrome[3]}</p></div>
<footer><p>{a.chrome[4]}</p></footer></body></html>"""
    return "news_site", a, page


def medium() -> tuple[str, Article, str]:
    a = Article(
        "What I Learned Shipping a Bot to Two Chat Platforms", "Priya Nair",
        ["The first version answered in one chat app and crashed in the other within an hour.",
         "Most of what went wrong had nothing to do with the bot's own logic."],
        [("Every platform escapes differently", ["One wants HTML entities, the other wants backslashes.",
                                                 "Writing a renderer per platform removed a whole class of bugs."]),
         ("Limits are part of the protocol", ["Messages over the length limit are rejected, not truncated.",
                                              "Splitting on paragraph boundaries kept the text readable."]),
         ("Test against something real", ["A fake server that validates like the real one caught most mistakes.",
                                          "The rest were found by people typing things nobody expected."])],
        ["Sign up to discover human stories that deepen your understanding.", "More from Priya Nair and the team.",
         "Recommended from our readers this week.", "Open in app to get the full experience."])
    divs = []
    for p in a.intro:
        divs.append(f'<p class="pw-post-body-paragraph kx ky">{escape(p)}</p>')
    for heading, paragraphs in a.sections:
        divs.append(f'<h2 class="pw-post-title ab">{escape(heading)}</h2>')
        divs += [f'<p class="pw-post-body-paragraph kx ky">{escape(p)}</p>' for p in paragraphs]
    page = f"""<html><head><title>{escape(a.title)} | by {a.byline} | Medium</title></head><body>
<div class="ab ac"><div class="n o"><p>{a.chrome[3]}</p></div><div class="q r"><p>{a.chrome[0]}</p></div></div>
<div class="s t"><div class="u v"><h1 class="pw-post-title">{escape(a.title)}</h1>
<div class="author-line"><a rel="author" href="/@priya">{a.byline}</a> · 6 min read</div>
<section><div class="w x">{''.join(divs)}</div></section></div></div>
<div class="y z"><h2>{a.chrome[1]}</h2><p>{a.chrome[2]}</p></div></body></html>"""
    return "medium_post", a, page


def newsletter() -> tuple[str, Article, str]:
    a = Article(
        "The Quiet Economics of Corner Shops", "Tom Okafor",
        ["Corner shops survive on thin margins and long hours, yet many neighbourhoods would not work without them.",
         "This week I spent three mornings behind the counter of one in Leeds."],
        [("Where the money comes from", ["Parcel pickups and bill payments bring people in who then buy milk.",
                                         "The owner told me the lottery machine pays for the electricity."]),
         ("The hours", ["The shop opens at six and closes at eleven, every day of the year.",
                        "Two families share the shifts so that someone always knows the regulars."])],
        ["Subscribe now to get every issue in your inbox.", "Share this post with a friend who would like it.",
         "Thanks for reading! Subscribe for free to receive new posts.", "Discussion about this post is open."])
    page = f"""<html><head><title>{escape(a.title)}</title><meta name="author" content="{a.byline}"></head><body>
<div class="navbar"><a>Home</a><a>Archive</a><a>About</a><button>Subscribe</button></div>
<div class="single-post"><div class="post-header"><h1 class="post-title">{escape(a.title)}</h1>
<div class="byline-wrapper"><a class="author">{a.byline}</a><div>Mar 3, 2025</div></div></div>
<div class="subscription-widget"><p>{a.chrome[0]}</p></div>
<div class="available-content"><div class="body markup">{body_html(a)}</div></div>
<div class="subscription-widget"><p>{a.chrome[2]}</p></div>
<div class="post-footer"><p>{a.chrome[1]}</p></div><div class="comments-section"><h4>{a.chrome[3]}</h4></div>
</div></body></html>"""
    return "newsletter", a, page


def docs() -> tuple[str, Article, str]:
    a = Article(
        "Configuring Webhooks", None,
        ["Webhooks let the service push events to your server instead of you polling for them.",
         "This page explains how to register an endpoint and verify what arrives."],
        [("Registering an endpoint", ["Send the public address of your endpoint together with a secret token.",
                                      "The service answers with the list of events it will deliver."]),
         ("Verifying requests", ["Every request carries the secret token in a header.",
                                 "Reject any request whose token does not match the one you registered."]),
         ("Retries", ["Failed deliveries are retried with growing delays for up to a day.",
                      "Answer quickly and do the slow work afterwards to avoid duplicate deliveries."])],
        ["Edit this page on the project repository.", "Was this page helpful? Let us know.",
         "Previous: Getting started with the API client.", "Next: Rate limits and quotas explained."])
    nav = "".join(f'<li><a href="/docs/{i}">Topic number {i}</a></li>' for i in range(30))
    page = f"""<html><head><title>Configuring Webhooks — Service Docs</title></head><body>
<div class="sidebar"><ul>{nav}</ul></div><main class="docs-content"><article>
<h1>Configuring Webhooks</h1>{body_html(a)}
<div class="edit-link"><p>{a.chrome[0]}</p></div></article>
<div class="feedback"><p>{a.chrome[1]}</p></div><nav class="pager"><p>{a.chrome[2]}</p><p>{a.chrome[3]}</p></nav>
</main></body></html>"""
    return "docs_page", a, page


def chinese() -> tuple[str, Article, str]:
    a = Article(
        "老城区的菜市场为什么越来越热闹", "王小明",
        ["过去几年，不少城市的老菜市场经过翻新，重新成了周末最热闹的地方。", "记者走访了三座城市的五个菜市场。"],
        [("一、翻新之后", ["摊位统一了招牌，地面干净了，通道也变宽了。", "很多年轻人专门来这里拍照，顺便买菜。"]),
         ("二、摊主的变化", ["不少摊主开始用手机收款，还会在群里发当天的新鲜货。",
                       "一位卖豆腐的阿姨说，现在熟客比以前还多。"]),
         ("三、价格怎么样", ["和超市相比，蔬菜普遍便宜一到两成。", "但海鲜和肉类的价格差别不大。"])],
        ["相关阅读：周末去哪儿逛早市", "责任编辑：李华", "版权所有 2025 城市晚报 未经授权禁止转载",
         "扫码关注我们的公众号"])
    page = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">
<title>{a.title}_城市晚报</title></head><body><div class="nav"><a>首页</a><a>新闻</a><a>生活</a></div>
<div class="main"><h1>{a.title}</h1><div class="info">作者：{a.byline}　2025年3月3日</div>
<div class="article-content">{body_html(a, head_tag="h3")}<p class="editor">{a.chrome[1]}</p></div>
<div class="related"><p>{a.chrome[0]}</p></div></div><div class="qrcode"><p>{a.chrome[3]}</p></div>
<div class="footer"><p>{a.chrome[2]}</p></div></body></html>"""
    return "chinese_news", a, page


def bare_divs() -> tuple[str, Article, str]:
    a = Article(
        "Repairing a Bicycle Wheel at Home", "Sam Ortiz",
        ["A wobbly wheel is usually a few loose spokes, not a broken rim.",
         "With a spoke key and an hour of patience most riders can true a wheel themselves."],
        [("Finding the loose spokes", ["Pluck each spoke and listen: the loose ones sound dull.",
                                       "Mark them with tape so you can find them again."]),
         ("Tightening in small steps", ["Turn each loose spoke a quarter turn at a time.",
                                        "Spin the wheel after every round and watch the gap at the brake."])],
        ["Menu Home Shop Blog Contact", "Join 5,000 riders who get our weekly tips.",
         "Powered by a simple site builder."])
    paragraphs = "".join(f"<div class='txt'>{escape(p)}</div>" for p in a.intro)
    for heading, ps in a.sections:
        paragraphs += f"<div class='big'><b>{escape(heading)}</b></div>" + "".join(
            f"<div class='txt'>{escape(p)}</div>" for p in ps)
    page = f"""<html><head><title>{escape(a.title)}</title></head><body><div class='top'>{a.chrome[0]}</div>
<div class='page'><div class='big'><b>{escape(a.title)}</b></div><div class='txt'>by {a.byline}</div>
{paragraphs}</div><div class='box'>{a.chrome[1]}</div><div class='bottom'>{a.chrome[2]}</div></body></html>"""
    return "bare_divs", a, page


def listicle() -> tuple[str, Article, str]:
    a = Article(
        "Seven Things to Know Before Adopting a Cat", "Dana Kim",
        ["Cats live for fifteen years or more, so adopting one is a long promise.",
         "Shelters are full every spring, and most of them will help you choose well."],
        [("1. Budget for the vet", ["Vaccinations and neutering cost more than the adoption fee.",
                                    "An emergency visit can cost as much as a month of rent."]),
         ("2. Cats need vertical space", ["• Shelves and cat trees let them watch the room from above.",
                                          "• A window perch keeps an indoor cat busy for hours."]),
         ("3. Two can be easier than one", ["Young cats adopted in pairs play with each other instead of you.",
                                            "Shelters often waive the fee for the second cat."])],
        ["Advertisement", "You might also like: ten dog breeds for small flats.", "Tags: cats, pets, adoption",
         "Follow us on social media for daily pet photos."])
    page = f"""<html><head><title>{escape(a.title)} | Pet Pages</title></head><body>
<header><nav><a>Dogs</a><a>Cats</a><a>Birds</a></nav></header><article><h1>{escape(a.title)}</h1>
<p class="author">By {a.byline}</p>{body_html(a)}<div class="ad">{a.chrome[0]}</div>
<p class="tags">{a.chrome[2]}</p></article><section class="also"><h3>{a.chrome[1]}</h3></section>
<footer><p>{a.chrome[3]}</p></footer></body></html>"""
    return "listicle", a, page


PAGES = (wordpress, news, medium, newsletter, docs, chinese, bare_divs, listicle)


def main() -> None:
    for make in PAGES:
        name, article, page = make()
        encoding = "gbk" if name == "chinese_news" else "utf-8"
        (HERE / f"{name}.html").write_bytes(page.encode(encoding))
        (HERE / f"{name}.json").write_text(json.dumps(expectations(article), ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    main()
