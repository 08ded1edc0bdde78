"""Following feeds: /follow, /unfollow, /feeds. The polling itself is bot/feeds.py."""

from __future__ import annotations

from urllib.parse import urlsplit

from bot.commands import moderation, reading  # noqa: F401  (registered first: /help lists these after them)
from bot.commands.registry import REGISTRY, Group, Param, ParamKind
from bot.commands.transfer import LINK
from bot.context import Context
from bot.errors import BotError
from bot.i18n import N_, _, ngettext
from bot.records import FeedFollow
from bot.types import Block, Heading, Paragraph, Reply, Span, Style, text_reply

cmd = REGISTRY.command
SWITCH_WORDS = ("switch", "read", "切换")


def feed_name(follow: FeedFollow) -> str:
    return follow.title or urlsplit(follow.url).hostname or follow.url


@cmd("follow", N_("Follow a feed: its new posts come here"),
     N_("`/follow https://example.org/feed.xml` (or a site's address, if its pages name their feed) brings each "
        "new post into this chat, imported so you can read it section by section and discuss it; earlier posts "
        "are skipped. Add `switch` to make each new post this chat's article."),
     Group.MODERATING, params=(Param("feed", ParamKind.TEXT, N_("the feed's or the site's link; add switch to read "
                                                                "each new post here")),),
     admin=True, changes_state=True, denied=N_("Only admins can follow a feed."))
async def follow(ctx: Context, args: str) -> Reply:
    words = args.split()
    link = next((w for w in words if LINK.fullmatch(w)), None)
    if link is None:
        raise BotError("Which feed? Send its link, like /follow https://example.org/feed.xml")
    source = ctx.services.feeds
    if source is None:
        raise BotError("Following feeds is not available here.")
    switch = any(w.lower() in SWITCH_WORDS for w in words if w is not link)
    feed = await source.fetch_feed(link)
    now = ctx.now()
    new = FeedFollow(ctx.chat_key, feed.url, feed.title, switch, ctx.user_key, now,
                     now + ctx.services.feed_poll_seconds, feed.etag, feed.last_modified)
    seen = [key for entry in feed.entries for key in (entry.key, entry.link) if key]
    if not await ctx.store.follow_feed(new, seen, ctx.log("follow", feed.url, after=feed.title)):
        return text_reply(_("This chat already follows “{feed}”.").format(feed=feed_name(new)), private=True)
    skipped = ngettext("📡 Following “{feed}”: new posts will appear here ({n} earlier post skipped).",
                       "📡 Following “{feed}”: new posts will appear here ({n} earlier posts skipped).",
                       len(feed.entries)).format(feed=feed_name(new), n=len(feed.entries))
    lines = [skipped]
    if switch:
        lines.append(_("Each new post becomes this chat's article."))
    return text_reply(*lines)


async def chosen_follow(ctx: Context, word: str) -> FeedFollow:
    follows = await ctx.store.chat_feeds(ctx.chat_key)
    if word.isascii() and word.isdigit() and 1 <= int(word) <= len(follows):
        return follows[int(word) - 1]
    found = next((f for f in follows if f.url == word), None)
    if found is None:
        raise BotError("This chat follows no feed “{feed}”. /feeds lists them by number.", feed=word[:80])
    return found


@cmd("unfollow", N_("Stop following a feed"), N_("`/unfollow 2` (a number from /feeds) or `/unfollow <link>`."),
     Group.MODERATING, params=(Param("feed", ParamKind.WORD, N_("a number from /feeds, or the feed's link"),
                                     required=True),),
     admin=True, changes_state=True, example="1", denied=N_("Only admins can stop following a feed."))
async def unfollow(ctx: Context, args: str) -> Reply:
    word = args.strip().split(" ")[0]
    if not word:
        raise BotError("Which feed? /feeds lists them; then /unfollow 1.")
    chosen = await chosen_follow(ctx, word)
    await ctx.store.unfollow_feed(ctx.chat_key, chosen.url, ctx.log("unfollow", chosen.url))
    return text_reply(_("Stopped following “{feed}”.").format(feed=feed_name(chosen)))


@cmd("feeds", N_("The feeds this chat follows"), N_("Lists the feeds whose new posts come to this chat."),
     Group.READING)
async def feeds(ctx: Context, args: str) -> Reply:
    follows = await ctx.store.chat_feeds(ctx.chat_key)
    blocks: list[Block] = [Heading(_("Feeds"))]
    if not follows:
        blocks.append(Paragraph.of(_("This chat follows no feed. Admins add one with /follow <link>.")))
    for i, item in enumerate(follows, start=1):
        notes = [item.url]
        if item.switch:
            notes.append(_("each new post becomes this chat's article"))
        if item.failures:
            notes.append(ngettext("the last {n} fetch failed", "the last {n} fetches failed",
                                  item.failures).format(n=item.failures))
        blocks.append(Paragraph.of(f"{i}. ", Span(feed_name(item), Style.BOLD), " · " + " · ".join(notes)))
    return Reply(tuple(blocks))
