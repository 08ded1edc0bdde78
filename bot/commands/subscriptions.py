"""/subscribe and /unsubscribe: a private message for new comments in a chat (a section, or all of it),
at most one a minute (see bot/digests.py)."""

from __future__ import annotations

from bot import views
from bot.commands import votes  # noqa: F401  (registered first: /help lists these after /notify)
from bot.commands.registry import REGISTRY, Group, Param, ParamKind
from bot.context import Context
from bot.errors import BotError
from bot.finder import find_sections
from bot.i18n import N_, _, ngettext
from bot.types import Reply, text_reply

cmd = REGISTRY.command
ALL_SECTIONS = "*"


async def section_key(ctx: Context, words: str) -> str:
    if not words.strip():
        return ALL_SECTIONS
    article = await ctx.article()
    found = find_sections(article, words.strip())
    if len(found) != 1:
        raise BotError("Name one section, like /subscribe 2, or none for every new comment here.")
    return found[0].key


@cmd("subscribe", N_("A private message for new comments"),
     N_("`/subscribe` sends you a private message about new comments in this chat, `/subscribe 2` only about "
        "section 2; at most one message a minute, with everything since the last. `/unsubscribe` stops it."),
     Group.DISCUSSING, params=(Param("section", ParamKind.SECTION, N_("a section; empty = every new comment here")),),
     example="2")
async def subscribe(ctx: Context, args: str) -> Reply:
    key = await section_key(ctx, args)
    await ctx.store.subscribe(ctx.chat_key, ctx.user_key, key)
    if key == ALL_SECTIONS:
        return text_reply(_("🔔 I'll send you a private message about new comments here, at most one a minute."),
                          private=True)
    article = await ctx.article()
    return text_reply(_("🔔 I'll send you a private message about new comments on {section}, at most one a "
                        "minute.").format(section=views.section_label(article, key)), private=True)


@cmd("unsubscribe", N_("Stop the private messages about new comments"),
     N_("`/unsubscribe` stops every subscription you have in this chat; `/unsubscribe 2` only section 2's."),
     Group.DISCUSSING, params=(Param("section", ParamKind.SECTION, N_("a section; empty = all of them")),),
     example="")
async def unsubscribe(ctx: Context, args: str) -> Reply:
    key = await section_key(ctx, args) if args.strip() else None
    removed = await ctx.store.unsubscribe(ctx.chat_key, ctx.user_key, key)
    if not removed:
        return text_reply(_("You had no subscription like that here."), private=True)
    return text_reply(ngettext("🔕 Stopped {n} subscription.", "🔕 Stopped {n} subscriptions.", removed).format(
        n=removed), private=True)
