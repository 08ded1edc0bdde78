"""The article importer: plain text, Markdown and HTML in; a ParsedArticle or a plain-words refusal out."""

from __future__ import annotations

import random
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bot
import bot.importer
from bot.article import ParsedArticle
from bot.errors import ImportRefused
from bot.importer import parse_article

DEMO = Path(bot.__file__).parent / "demo_article.txt"

ARTICLE_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Why Small Towns Are Rebuilding Their Main Streets | The Civic Ledger</title>
  <meta name="author" content="Maria Okafor">
  <meta property="og:title" content="Why Small Towns Are Rebuilding Their Main Streets">
</head>
<body>
<header class="site-header">
  <nav class="main-nav">
    <ul>
      <li><a href="/">Home</a></li>
      <li><a href="/politics">Politics Desk</a></li>
      <li><a href="/subscribe">Subscribe Today</a></li>
      <li><a href="/about">About Our Newsroom</a></li>
    </ul>
  </nav>
</header>
<div id="cookie-banner" class="cookie-consent">
  <p>We use cookies to improve your experience. By continuing you accept our cookie policy.</p>
  <button>Accept all cookies</button>
</div>
<div class="layout">
<main>
<article class="post">
  <h1 class="entry-title">Why Small Towns Are Rebuilding Their Main Streets</h1>
  <p class="byline">By <span class="author">Maria Okafor</span></p>
  <p>Across the country, towns that lost their shops to highway malls two generations ago are quietly
  rebuilding the streets their grandparents walked. The work is slow, unglamorous and mostly funded by local
  money, yet the results are visible in places that had written themselves off.</p>
  <p>This article looks at three towns that tried different approaches, what the residents think of the
  results, and what the numbers say about whether a revived main street can pay for itself over a decade.</p>
  <h2>The Cost of Doing Nothing</h2>
  <p>Empty storefronts are not free. A vacant building still needs a roof, still attracts vandalism and still
  drags down the value of the buildings next to it. Town treasurers in all three places told us that the cost
  of maintaining decline had quietly grown larger than the cost of reversing it.</p>
  <p>In one county, the assessor estimated that each boarded-up shop reduced the taxable value of its
  neighbours by several percent. Over twenty years that loss added up to more than the price of the
  renovation grants the council eventually approved.</p>
  <h2>Three Approaches to Renewal</h2>
  <p>The first town bet on housing, converting the upper floors of old commercial buildings into apartments so
  that people would live above the shops again. The second town focused on a weekly market that grew into a
  permanent food hall. The third simply narrowed the road, widened the pavements and planted trees.</p>
  <h3>Housing Above the Shops</h3>
  <p>Residents moved in faster than planners expected. Within three years almost every renovated flat was
  occupied, and the cafés on the ground floor reported that their busiest hours shifted from lunchtime to the
  early evening, when people came home from work.</p>
  <p>Critics pointed out that rents rose as the street became popular. The council responded by reserving a
  share of the new flats for teachers, nurses and other local workers, a compromise most residents accept.</p>
  <h3>Slower Roads, Wider Pavements</h3>
  <p>Narrowing the road was the cheapest of the three changes and, surprisingly, the most controversial. Shop
  owners feared that fewer parking spaces would mean fewer customers. Footfall counts taken before and after
  the change showed the opposite: pedestrians stayed longer and visited more shops on each trip.</p>
  <p>Delivery drivers were the loudest objectors. A set of loading bays at each end of the street, open only
  in the morning, settled most of the complaints within a few months of the reopening.</p>
  <h2>What Comes Next</h2>
  <p>None of the towns claims to have found a formula. Each succeeded because a few stubborn residents kept
  showing up to meetings, and because the council was willing to try something small before committing to
  something big.</p>
  <p>The lesson, if there is one, is that a main street is less a place than a habit. Towns that give people a
  reason to walk there again tend to find that the shops follow.</p>
</article>
<section id="comments" class="comments-area">
  <div id="respond" class="comment-respond">
    <h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3>
    <form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form">
      <p class="comment-notes">Your email address will not be published. Required fields are marked *</p>
      <p><label for="comment">Comment</label><textarea id="comment" name="comment"></textarea></p>
      <p><label for="author">Name *</label><input id="author" name="author" type="text"></p>
      <p><input type="checkbox" id="consent"> Save my name, email, and website in this browser for the next
      time I comment.</p>
      <p class="form-submit"><input type="submit" value="Post Comment"></p>
    </form>
  </div>
</section>
</main>
<aside class="sidebar widget-area">
  <section class="widget related-posts">
    <h2 class="widget-title">Related posts</h2>
    <ul>
      <li><a href="/a">Ten Bridges That Changed Rural Commuting Forever</a></li>
      <li><a href="/b">The Quiet Return of the Village Bakery</a></li>
      <li><a href="/c">How One Library Became the Heart of Its Town</a></li>
    </ul>
  </section>
  <section class="widget newsletter">
    <h2 class="widget-title">Newsletter</h2>
    <p>Sign up for our weekly newsletter digest and never miss a story.</p>
  </section>
</aside>
</div>
<footer class="site-footer">
  <p>Copyright 2025 The Civic Ledger Media Group. All rights reserved.</p>
  <p><a href="/privacy">Privacy Policy</a> · <a href="/terms">Terms of Service</a></p>
</footer>
</body>
</html>
"""

HTML_CHROME = (
    "Politics Desk",
    "Subscribe Today",
    "About Our Newsroom",
    "cookies",
    "Related posts",
    "Ten Bridges",
    "Village Bakery",
    "Library Became",
    "Newsletter",
    "newsletter digest",
    "Leave a Reply",
    "email address",
    "Required fields",
    "Save my name",
    "Post Comment",
    "Copyright",
    "Privacy Policy",
    "Terms of Service",
)

MARKDOWN = """# The *Quiet* Return of the Village Bakery

*By Ana Lima*

In many villages the bakery closed decades ago. Now a **new generation** of bakers is
bringing it back, one [sourdough loaf](https://example.com/loaf) at a time.

## Why Bakeries Closed

Supermarkets offered _cheaper_ bread, and the early hours drove young people away.
See the [county report](https://example.com/report_(2019)) for the numbers.

## What Changed

Cheap **electric ovens** and *online orders* made a one-person bakery possible again.

- Ovens that run on solar power
- A [pre-order page](https://example.com/order) instead of a shop window

## What Comes Next

The next step is a ~~bigger~~ shared kitchen for three villages, funded by ***the parish***.
"""


def _all_text(article: ParsedArticle) -> list[str]:
    texts = [article.title, article.byline or "", *article.intro]
    for section in article.sections:
        texts.append(section.heading)
        texts.extend(section.paragraphs)
    return texts


def _assert_well_formed(article: ParsedArticle) -> None:
    assert isinstance(article, ParsedArticle)
    assert article.title.strip()
    assert article.intro or article.sections
    keys = [section.key for section in article.sections]
    assert all(keys) and len(set(keys)) == len(keys)
    assert all(section.paragraphs for section in article.sections)


# ---- plain text: the bundled demo article ---------------------------------------------------------


def test_demo_article_structure() -> None:
    article = parse_article(DEMO.read_bytes(), filename="demo_article.txt")

    assert article.title == "The Great Migration of TikTok to RedNote and Its Potential Consequences"
    assert article.byline == "Joel Wong"
    assert len(article.intro) == 3
    assert article.intro[0].startswith("The U.S. TikTok ban, effective today")
    assert [s.heading for s in article.sections] == [
        "Infrastructure and Urban Development",
        "Cost of Living",
        "Technological Integration",
        "Economic Opportunities",
        "Public Safety",
        "Community and Social Bonds",
    ]
    assert [s.key for s in article.sections][1:3] == ["cost-of-living", "technological-integration"]
    assert [len(s.paragraphs) for s in article.sections] == [1, 1, 1, 1, 1, 2]
    # The closing paragraph has no heading of its own, so it stays with the last section.
    assert article.sections[-1].paragraphs[1].startswith("The migration of American users to RedNote")


def test_demo_article_drops_scraper_leftovers() -> None:
    article = parse_article(DEMO.read_bytes())
    for text in _all_text(article):
        assert "fbpx" not in text
        assert "LEAVE YOUR COMMENT" not in text
        assert "email address" not in text
        assert "Required fields" not in text


def test_demo_article_keeps_unicode_and_collapses_whitespace() -> None:
    article = parse_article(DEMO.read_bytes())
    assert "小红书" in article.intro[0]
    assert "China’s" in article.sections[0].paragraphs[0]
    for text in _all_text(article):
        assert text == " ".join(text.split())


def test_plain_text_hard_wrapped_paragraphs_are_rejoined() -> None:
    text = (
        "A Walk Along the Canal\n\n"
        "The towpath runs for eleven miles between the two locks, and on a dry\n"
        "morning you can walk it without meeting anyone but the herons and the\n"
        "occasional narrowboat owner painting a hull.\n\n"
        "Wildlife\n\n"
        "Kingfishers nest in the bank below the second bridge. They are easiest\n"
        "to see in late spring, when the young birds are learning to fish.\n"
    )
    article = parse_article(text.encode())
    assert article.intro == (
        "The towpath runs for eleven miles between the two locks, and on a dry morning you can walk it "
        "without meeting anyone but the herons and the occasional narrowboat owner painting a hull.",
    )
    assert [s.heading for s in article.sections] == ["Wildlife"]
    assert article.sections[0].paragraphs[0].endswith("when the young birds are learning to fish.")


def test_plain_text_one_paragraph_per_line_without_blank_lines() -> None:
    text = (
        "Notes From the Harbour\n"
        "By Tom Reyes\n"
        "The harbour master keeps a logbook that goes back to 1911, and every entry is written in the same "
        "careful hand style that the first master taught his successor.\n"
        "Storms\n"
        "The worst storm in the logbook came in 1953, when the sea wall failed in two places overnight "
        "and the fishing fleet had to shelter in the river mouth for a week.\n"
    )
    article = parse_article(text.encode())
    assert article.title == "Notes From the Harbour"
    assert article.byline == "Tom Reyes"
    assert len(article.intro) == 1
    assert [s.heading for s in article.sections] == ["Storms"]


def test_plain_text_sentence_starting_with_by_is_not_a_byline() -> None:
    text = (
        "Spring Planting\n\nBy the end of March the soil is usually warm enough for peas.\n\nMore text here."
    )
    article = parse_article(text.encode())
    assert article.byline is None
    assert article.intro[0] == "By the end of March the soil is usually warm enough for peas."


def test_single_line_is_refused_as_title_without_text() -> None:
    # Decision: a title alone is not an article; the refusal names the title so the user sees why.
    with pytest.raises(ImportRefused) as caught:
        parse_article(b"Just a title\n")
    assert "Just a title" in str(caught.value)
    assert "no article text" in str(caught.value)


def test_long_first_line_is_text_and_gets_a_short_title() -> None:
    sentence = "The council met on Tuesday to discuss the bridge, the budget and the new library hours. "
    article = parse_article((sentence * 4).encode())
    assert article.intro == ((sentence * 4).strip(),)
    assert article.title.endswith("…")
    assert len(article.title) <= 81
    assert article.title.startswith("The council met on Tuesday")


def test_chinese_and_emoji_plain_text_kept_verbatim() -> None:
    text = (
        "中国城市的变化 🚀\n\n"
        "作者介绍了很多关于城市发展的内容，包括交通、住房和教育。😀\n\n"
        "交通基础设施\n\n"
        "高铁网络覆盖了全国大部分城市，出行非常方便。\n\n"
        "住房 🏠\n\n"
        "房价在不同城市差别很大，年轻人的选择也不同。\n"
    )
    article = parse_article(text.encode())
    assert article.title == "中国城市的变化 🚀"
    assert article.intro == ("作者介绍了很多关于城市发展的内容，包括交通、住房和教育。😀",)
    assert [s.heading for s in article.sections] == ["交通基础设施", "住房 🏠"]
    assert article.sections[0].paragraphs == ("高铁网络覆盖了全国大部分城市，出行非常方便。",)
    _assert_well_formed(article)


def test_rtl_text_kept_verbatim() -> None:
    text = "مدينة المستقبل\n\nتتحدث هذه المقالة عن تخطيط المدن الحديثة وكيفية تحسين حياة السكان.\n"
    article = parse_article(text.encode())
    assert article.title == "مدينة المستقبل"
    assert article.intro == ("تتحدث هذه المقالة عن تخطيط المدن الحديثة وكيفية تحسين حياة السكان.",)


# ---- Markdown ---------------------------------------------------------------------------------------


def test_markdown_article() -> None:
    article = parse_article(MARKDOWN.encode(), filename="bakery.md")

    assert article.title == "The Quiet Return of the Village Bakery"
    assert article.byline == "Ana Lima"
    assert article.intro == (
        "In many villages the bakery closed decades ago. Now a new generation of bakers is bringing it back, "
        "one sourdough loaf at a time.",
    )
    assert [s.heading for s in article.sections] == ["Why Bakeries Closed", "What Changed", "What Comes Next"]
    assert [s.key for s in article.sections] == ["why-bakeries-closed", "what-changed", "what-comes-next"]
    assert article.sections[0].paragraphs == (
        "Supermarkets offered cheaper bread, and the early hours drove young people away. "
        "See the county report for the numbers.",
    )
    assert article.sections[1].paragraphs == (
        "Cheap electric ovens and online orders made a one-person bakery possible again.",
        "• Ovens that run on solar power",
        "• A pre-order page instead of a shop window",
    )
    assert article.sections[2].paragraphs == (
        "The next step is a bigger shared kitchen for three villages, funded by the parish.",
    )
    for text in _all_text(article):
        assert "*" not in text and "](" not in text and "http" not in text and "~~" not in text


def test_markdown_detected_by_headings_without_extension() -> None:
    assert parse_article(MARKDOWN.encode()) == parse_article(MARKDOWN.encode(), filename="bakery.md")


def test_markdown_details() -> None:
    text = """---
title: Field Notes
author: Priya Nair
---

Setext Title Is a Section
=========================

Plain text with an escaped \\*star\\* and `code_with *stars*` and snake_case_words.

#### A Minor Heading

Text under the minor heading stays in the section above.

```
def total(*args): return sum(args)
```

## Closing Thoughts

Last paragraph.
"""
    article = parse_article(text.encode(), filename="notes.markdown")
    assert article.title == "Field Notes"
    assert article.byline == "Priya Nair"
    assert [s.heading for s in article.sections] == ["Setext Title Is a Section", "Closing Thoughts"]
    assert article.sections[0].paragraphs == (
        "Plain text with an escaped *star* and code_with *stars* and snake_case_words.",
        "A Minor Heading",
        "Text under the minor heading stays in the section above.",
        "def total(*args): return sum(args)",
    )


def test_markdown_chinese_and_emoji_with_repeated_headings() -> None:
    text = "# 中国城市的变化 🚀\n\n作者介绍了很多内容。\n\n## 交通\n\n高铁网络覆盖全国。🚄\n\n"
    text += "## 交通\n\n地铁也很方便。\n"
    article = parse_article(text.encode(), filename="城市.md")
    assert article.title == "中国城市的变化 🚀"
    assert article.intro == ("作者介绍了很多内容。",)
    assert [s.heading for s in article.sections] == ["交通", "交通"]
    assert article.sections[0].paragraphs == ("高铁网络覆盖全国。🚄",)
    keys = [s.key for s in article.sections]
    assert all(keys) and len(set(keys)) == 2


def test_markdown_readme_banner_above_title_is_skipped() -> None:
    text = '<p align="center"><img src="logo.png" alt=""></p>\n\n![build](https://ci/badge.svg)\n\n'
    text += "# Tool\n\nIntro.\n\n## Usage\n\nRun it.\n"
    article = parse_article(text.encode())
    assert article.title == "Tool"
    assert article.intro == ("Intro.",)
    assert [s.heading for s in article.sections] == ["Usage"]


def test_markdown_comment_footer_is_cut() -> None:
    text = (
        "# Title\n\nBody text of the post.\n\n## Leave a Reply\n\nYour email address will not be published.\n"
    )
    article = parse_article(text.encode())
    assert article.intro == ("Body text of the post.",)
    assert article.sections == ()


# ---- HTML -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("filename", ["street.html", None, "download.txt"])
def test_html_article_main_content_only(filename: str | None) -> None:
    article = parse_article(ARTICLE_HTML.encode(), filename=filename)

    assert article.title == "Why Small Towns Are Rebuilding Their Main Streets"
    assert article.byline == "Maria Okafor"
    assert len(article.intro) == 2
    assert article.intro[0].startswith("Across the country, towns that lost their shops")
    assert [s.heading for s in article.sections] == [
        "The Cost of Doing Nothing",
        "Three Approaches to Renewal",
        "Housing Above the Shops",
        "Slower Roads, Wider Pavements",
        "What Comes Next",
    ]
    assert [len(s.paragraphs) for s in article.sections] == [2, 1, 2, 2, 2]
    assert "cafés" in article.sections[2].paragraphs[0]
    for text in _all_text(article):
        for chrome in HTML_CHROME:
            assert chrome not in text, (chrome, text)
        assert text == " ".join(text.split())
    _assert_well_formed(article)


def test_html_without_semantic_markup_keeps_headings_and_drops_chrome() -> None:
    # Old-style page: only <div>s, no class names. trafilatura falls back to paragraph-only extraction here;
    # the importer puts the page's headings back in front of the paragraphs that follow them.
    page = re.sub(r"<(/?)(article|main|header|footer|aside|nav|section)\b", r"<\1div", ARTICLE_HTML)
    page = re.sub(r'\s(?:class|id)="[^"]*"', "", page)
    article = parse_article(page.encode())

    assert article.title == "Why Small Towns Are Rebuilding Their Main Streets"
    assert article.byline == "Maria Okafor"
    assert [s.heading for s in article.sections] == [
        "The Cost of Doing Nothing",
        "Three Approaches to Renewal",
        "Housing Above the Shops",
        "Slower Roads, Wider Pavements",
        "What Comes Next",
    ]
    for text in _all_text(article):
        for chrome in HTML_CHROME:
            assert chrome not in text, (chrome, text)


def test_html_fragment_without_document_tags() -> None:
    fragment = (
        "<h1>Tide Tables Explained</h1>"
        "<p>Tide tables list the times and heights of high and low water for a harbour, usually a year "
        "ahead. They are computed from the positions of the moon and sun, not from observation.</p>"
        "<h2>Reading the Columns</h2>"
        "<p>Each row gives a date, a time and a height in metres above chart datum. Times are local unless "
        "the table says otherwise, and summer time is often left for the reader to add.</p>"
    )
    article = parse_article(fragment.encode())
    assert article.title == "Tide Tables Explained"
    assert [s.heading for s in article.sections] == ["Reading the Columns"]


def test_html_declared_charset_is_honoured() -> None:
    page = ARTICLE_HTML.replace('<meta charset="utf-8">', '<meta charset="iso-8859-1">')
    article = parse_article(page.encode("cp1252"), filename="street.htm")
    assert "cafés" in article.sections[2].paragraphs[0]


def test_html_without_text_is_refused() -> None:
    with pytest.raises(ImportRefused) as caught:
        parse_article(
            b"<!DOCTYPE html><html><head><title>Empty</title></head><body><div></div></body></html>"
        )
    assert "article text" in str(caught.value)


def test_importing_the_package_does_not_load_the_html_stack() -> None:
    code = "import sys, bot.importer; print(sorted(m for m in ('trafilatura', 'lxml') if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(bot.__file__).parents[1],
    )
    assert result.stdout.strip() == "[]"


# ---- refusals -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "empty"),
        (b" \n\t\r\n   \n", "blank"),
        ("\u3000\u00a0\n".encode(), "blank"),
        (b"Title\n\nSome text\x00with a NUL byte in it.", "binary"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
        (b"GIF89a\x01\x00\x01\x00", "GIF"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP"),
        (random.Random(1).randbytes(4096), "binary"),
        (b"<html><body></body></html>", "article text"),
        (b"\x01\x02\x03\x04 mostly control \x05\x06\x07\x08\x0e\x0f\x10\x11", "binary"),
        ("标题\n\n中文内容很长的一段文字。".encode("gbk"), "encoding"),
    ],
    ids=["empty", "whitespace", "unicode-whitespace", "nul", "pdf", "png", "jpeg", "gif", "zip", "random",
         "html-no-text", "control-chars", "gbk"],
)  # fmt: skip
def test_refusals(data: bytes, expected: str) -> None:
    with pytest.raises(ImportRefused) as caught:
        parse_article(data)
    message = str(caught.value)
    assert message.strip()
    assert expected in message


def test_oversized_names_size_and_limit() -> None:
    with pytest.raises(ImportRefused) as caught:
        parse_article(b"Title\n\n" + b"word " * 100, max_bytes=100)
    assert str(caught.value) == "The file is 507 bytes; the limit is 100 bytes."


def test_oversized_default_limit_in_megabytes() -> None:
    with pytest.raises(ImportRefused) as caught:
        parse_article(b"a" * 3_100_000)
    assert str(caught.value) == "The file is 3.1 MB; the limit is 2.0 MB."


def test_oversized_by_a_byte_shows_exact_sizes() -> None:
    with pytest.raises(ImportRefused) as caught:
        parse_article(b"a" * 2_000_001)
    assert "2,000,000 bytes" in str(caught.value)


def test_unexpected_parser_error_becomes_a_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str) -> None:
        raise RuntimeError("parser bug")

    monkeypatch.setattr(bot.importer, "parse_plain", broken)
    with pytest.raises(ImportRefused) as caught:
        parse_article(b"Title\n\nSome text.")
    assert str(caught.value) == "Could not read this file as an article."
    assert isinstance(caught.value.__cause__, RuntimeError)


# ---- encodings ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le-bom", "utf-16-be-bom"])
def test_unicode_encodings(encoding: str) -> None:
    text = "Ünïcödé Title 🚀\n\nBody with naïve café text and 中文.\n"
    if encoding == "utf-16-le-bom":
        data = b"\xff\xfe" + text.encode("utf-16-le")
    elif encoding == "utf-16-be-bom":
        data = b"\xfe\xff" + text.encode("utf-16-be")
    else:
        data = text.encode(encoding)
    article = parse_article(data)
    assert article.title == "Ünïcödé Title 🚀"
    assert article.intro == ("Body with naïve café text and 中文.",)


def test_cp1252_fallback() -> None:
    article = parse_article("Café Society\n\nA “quoted” naïve text costs 5 €.\n".encode("cp1252"))
    assert article.title == "Café Society"
    assert article.intro == ("A “quoted” naïve text costs 5 €.",)


# ---- robustness -----------------------------------------------------------------------------------------


def _returns_or_refuses(data: bytes, filename: str | None = None) -> None:
    try:
        article = parse_article(data, filename=filename)
    except ImportRefused as refusal:
        assert str(refusal).strip()
        return
    _assert_well_formed(article)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_return_or_refuse(data: bytes) -> None:
    _returns_or_refuses(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=2000), st.sampled_from([None, "a.txt", "a.md", "a.html"]))
def test_arbitrary_text_returns_or_refuses(text: str, filename: str | None) -> None:
    _returns_or_refuses(text.encode("utf-8"), filename)


_MARKUP = st.sampled_from(
    ["# ", "## ", "\n", "\n\n", "*", "**", "_", "`", "```", "[", "](", ")", "<p>", "</p>", "<h2>", "<div>",
     "<!--", "-->", "By ", "Heading", "word", "Sentence ends.", " ", "中文", "🚀", "\u200b", "|", "---", "> "]
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_MARKUP, max_size=80).map("".join), st.sampled_from([None, "a.md", "a.html"]))
def test_markup_soup_returns_or_refuses(text: str, filename: str | None) -> None:
    _returns_or_refuses(text.encode("utf-8"), filename)


def test_truncated_html_returns_or_refuses() -> None:
    data = ARTICLE_HTML.encode()
    cuts = sorted(random.Random(7).sample(range(1, len(data)), 25) + [data.index(b"<h2>") + 2])
    started = time.monotonic()
    for cut in cuts:
        _returns_or_refuses(data[:cut])
    assert time.monotonic() - started < 20


def test_deeply_nested_html_returns_or_refuses_quickly() -> None:
    prose = "<p>" + "A sentence of ordinary article prose that goes on for a while. " * 6 + "</p>"
    page = "<html><head><title>Deep</title></head><body>" + "<div>" * 20_000 + prose * 5 + "</div>" * 20_000
    started = time.monotonic()
    _returns_or_refuses((page + "</body></html>").encode(), "deep.html")
    assert time.monotonic() - started < 20


def test_hundred_thousand_nested_divs_return_or_refuse_quickly() -> None:
    page = "<html><body>" + "<div>" * 100_000 + "Deep text." + "</div>" * 100_000 + "</body></html>"
    started = time.monotonic()
    _returns_or_refuses(page.encode())
    assert time.monotonic() - started < 20


def test_huge_complex_html_is_refused_quickly() -> None:
    page = "<html><body>" + '<div><a href="/x">link</a> text</div>' * 52_000 + "</body></html>"
    assert len(page) > 1_900_000
    started = time.monotonic()
    with pytest.raises(ImportRefused) as caught:
        parse_article(page.encode())
    assert "too complex" in str(caught.value)
    assert time.monotonic() - started < 20


def test_pathological_markdown_is_fast() -> None:
    body = "[" * 300_000 + "*a " * 100_000 + "`" * 300_000 + "<a " * 100_000
    started = time.monotonic()
    article = parse_article(("# Title\n\n" + body).encode())
    assert time.monotonic() - started < 20
    assert article.title == "Title"


def test_chinese_bylines_are_recognised() -> None:
    for line, name in (("作者：林晓", "林晓"), ("文／王小明", "王小明"), ("记者: 张三", "张三")):
        parsed = parse_article(f"# 标题\n\n{line}\n\n正文第一段。\n\n## 一、开头\n\n内容。\n".encode(), filename="a.md")
        assert parsed.byline == name, line
        assert line not in parsed.intro


SCRAPE_WITH_CHROME = "\n".join((
    "Skip to content", "Menu", "Search", "The Quiet Return of the Village Bakery", "By Ann Smith", "March 3, 2025",
    "",
    "In many villages the bakery closed decades ago. Now a new generation of bakers is bringing it back, one loaf "
    "at a time, and the neighbours are lining up before dawn.",
    "",
    "Why now",
    "Flour is cheaper than it was, ovens are smaller, and people want bread they can see being made. Several "
    "bakers said the same thing in different words.",
    "",
    "What it costs",
    "A small oven and a lease on an empty shop come to less than a car. The hard part is getting up at four every "
    "morning for years.",
    "",
))


def test_a_scrape_loses_the_site_chrome_and_its_dateline_is_not_a_heading() -> None:
    parsed = parse_article(SCRAPE_WITH_CHROME.encode(), filename="page.txt")
    assert parsed.title == "The Quiet Return of the Village Bakery"
    assert parsed.byline == "Ann Smith"
    assert [s.heading for s in parsed.sections] == ["Why now", "What it costs"]
    assert all("March 3" not in p for p in parsed.intro)


def test_the_site_name_is_cut_from_a_page_title() -> None:
    body = ("<p>In many villages the bakery closed decades ago. Now a new generation of bakers is bringing it "
            "back, one loaf at a time, and the neighbours are lining up before dawn to buy it.</p>") * 4
    for head in ('<title>The Quiet Return of the Village Bakery | Kulu Media</title>'
                 '<meta property="og:site_name" content="Kulu Media">',
                 '<title>The Quiet Return of the Village Bakery - Kulu Media</title>'):
        page = f"<html><head>{head}</head><body><article>{body}<h2>Why now</h2>{body}</article></body></html>"
        assert parse_article(page.encode(), filename="page.html").title == "The Quiet Return of the Village Bakery"
