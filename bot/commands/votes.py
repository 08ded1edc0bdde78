"""Liking comments (/like, /unlike, the 👍 buttons under listings, reactions to the bot's messages), and whether
replies to one's comments reach one (/notify)."""

from __future__ import annotations

from bot.commands import discussing  # noqa: F401  (registered first: /help lists these after /comments)
from bot.commands.discussing import visible_comment
from bot.commands.registry import REGISTRY, Group, Param, ParamKind
from bot.context import Context
from bot.errors import BotError
from bot.i18n import N_, _, ngettext
from bot.parsing import comment_number
from bot.records import Status
from bot.types import Reply, text_reply

cmd = REGISTRY.command


async def like_number(ctx: Context, number: int, up: bool | None) -> Reply:
    """Likes (True), unlikes (False) or toggles (None) comment #number for the sender; says what it did."""
    comment = await visible_comment(ctx, number)
    if comment.status is not Status.VISIBLE:
        raise BotError("#{number} is hidden, so it can't be liked.", number=number)
    now = ctx.now()
    gate = await ctx.store.comment_gate(ctx.chat_key, ctx.user_key, comment.article_id, now)
    if gate.ban is not None:
        raise BotError("You are banned in this chat, so your likes don't count here.")
    if up is None:
        up = await ctx.store.set_vote(comment.id, ctx.user_key, True, now)
        if not up:
            await ctx.store.set_vote(comment.id, ctx.user_key, False, now)
    else:
        await ctx.store.set_vote(comment.id, ctx.user_key, up, now)
    count = (await ctx.store.vote_counts(ctx.chat_key, [comment.id], now)).get(comment.id, 0)
    if up:
        text = ngettext("👍 You like #{number} ({count} like).", "👍 You like #{number} ({count} likes).", count)
    else:
        text = ngettext("You took back your like of #{number} ({count} like left).",
                        "You took back your like of #{number} ({count} likes left).", count)
    return text_reply(text.format(number=number, count=count), private=True)


@cmd("like", N_("Like a comment"),
     N_("`/like #3` likes comment #3 (one like per person); `/unlike #3` takes it back. A 👍 under a listing, or a "
        "reaction to my message that shows a comment, does the same."),
     Group.DISCUSSING, params=(Param("comment", ParamKind.COMMENT, N_("the comment's number, like #3"),
                                     required=True),), example="#1")
async def like(ctx: Context, args: str) -> Reply:
    return await like_number(ctx, comment_number(args.strip().split(" ")[0], N_("/like #3")), True)


@cmd("unlike", N_("Take back a like"), N_("`/unlike #3` takes back your like of comment #3."),
     Group.DISCUSSING, params=(Param("comment", ParamKind.COMMENT, N_("the comment's number, like #3"),
                                     required=True),), example="#1")
async def unlike(ctx: Context, args: str) -> Reply:
    return await like_number(ctx, comment_number(args.strip().split(" ")[0], N_("/unlike #3")), False)


@cmd("notify", N_("Whether replies to your comments reach you"),
     N_("`/notify off`: replies to your comments no longer reply to your message or mention you; `/notify on` "
        "turns it back on."),
     Group.DISCUSSING, params=(Param("state", ParamKind.CHOICE, N_("on or off"), required=True,
                                     choices=("on", "off")),), example="off")
async def notify(ctx: Context, args: str) -> Reply:
    word = args.strip().lower()
    if word not in ("on", "off"):
        if await ctx.store.is_quiet(ctx.user_key):
            raise BotError("Replies to your comments don't reach you now. /notify on turns them back on.")
        raise BotError("Replies to your comments reach you now. /notify off stops that.")
    await ctx.store.set_quiet(ctx.user_key, word == "off")
    if word == "off":
        return text_reply(_("Replies to your comments will no longer reach you."), private=True)
    return text_reply(_("Replies to your comments will reach you again."), private=True)
