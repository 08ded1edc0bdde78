"""Bringing moderation to the moderators (/modqueue) and asking them to look again (/appeal)."""

from __future__ import annotations

import secrets
from dataclasses import replace

from bot.commands import moderation  # noqa: F401  (registered first: /help lists these after /modlog)
from bot.commands.registry import REGISTRY, Group, Param, ParamKind
from bot.context import Context
from bot.errors import BotError
from bot.i18n import N_, _
from bot.modqueue import MODQUEUE_CHAT, MODQUEUE_TITLE
from bot.parsing import split_first
from bot.reviews import appeal
from bot.types import Reply, text_reply

cmd = REGISTRY.command
CODE_PURPOSE = "modqueue"
CODE_SECONDS = 600.0
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # nothing to misread (no 0/O, 1/I)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


@cmd("modqueue", N_("Where held comments and appeals go"),
     N_("`/modqueue dm`: held comments and appeals of this chat come to you in a private message, with buttons. "
        "`/modqueue here` gives a code; `/modqueue here <code>` in your moderators' chat sends them there. "
        "`/modqueue off` stops both; `/modqueue` alone says where they go."),
     Group.MODERATING, params=(Param("where", ParamKind.CHOICE, N_("dm, here or off"), choices=("dm", "here", "off")),
                               Param("code", ParamKind.WORD, N_("the code from /modqueue here"))),
     admin=True, changes_state=True, example="dm", denied=N_("Only admins can choose where held comments go."))
async def modqueue(ctx: Context, args: str) -> Reply:
    word, rest = split_first(args)
    word = word.lower()
    if word == "dm":
        await ctx.store.set_moderator(ctx.chat_key, ctx.user_key, True)
        await ctx.store.add_modlog(ctx.log("modqueue", "dm", after=ctx.user_key))
        return text_reply(_("📬 Held comments and appeals of this chat will come to you in a private message. "
                            "If I have never written to you, open a private chat with me first."), private=True)
    if word == "off":
        settings = await ctx.store.chat_settings(ctx.chat_key)
        dropped = await ctx.store.clear_moderators(ctx.chat_key)
        if settings.get(MODQUEUE_CHAT):
            await ctx.store.set_chat_setting(ctx.chat_key, MODQUEUE_CHAT, "", ctx.log("modqueue", "off"))
        elif dropped:
            await ctx.store.add_modlog(ctx.log("modqueue", "off"))
        return text_reply(_("Held comments and appeals now wait in /pending only."), private=True)
    if word == "here":
        code = rest.strip().upper()
        if not code:
            code = new_code()
            await ctx.store.issue_code(code, CODE_PURPOSE, ctx.chat_key, ctx.user_key, ctx.now() + CODE_SECONDS)
            return text_reply(_("Send /modqueue here {code} in your moderators' chat within 10 minutes, and held "
                                "comments and appeals of this chat will go there.").format(code=code), private=True)
        origin = await ctx.store.redeem_code(code, CODE_PURPOSE, ctx.user_key, ctx.now())
        if origin is None:
            raise BotError("That code is not valid: it expired, was used, or was given to someone else. Send "
                           "/modqueue here in the chat to moderate for a new one.")
        if origin == ctx.chat_key:
            raise BotError("Send the code in your moderators' chat, not in the chat it came from.")
        title = ctx.event.chat.title or ""
        entry = replace(ctx.log("modqueue", "here", after=title or None), chat_key=origin)
        await ctx.store.set_chat_setting(origin, MODQUEUE_TITLE, title, None)
        await ctx.store.set_chat_setting(origin, MODQUEUE_CHAT, ctx.chat_key, entry)
        return text_reply(_("🛡 Held comments and appeals of that chat will come here, with buttons."))
    if word:
        raise BotError("Use /modqueue dm, /modqueue here or /modqueue off.")
    settings = await ctx.store.chat_settings(ctx.chat_key)
    lines = []
    if settings.get(MODQUEUE_CHAT):
        shown = settings.get(MODQUEUE_TITLE)
        lines.append(_("Held comments and appeals go to the moderators' chat “{title}”.").format(
            title=shown) if shown else _("Held comments and appeals go to a moderators' chat."))
    moderators = await ctx.store.moderators(ctx.chat_key)
    if moderators:
        names = [await ctx.store.user_name(key) or key for key in moderators]
        lines.append(_("They come privately to: {names}.").format(names=", ".join(names)))
    if not lines:
        lines.append(_("Held comments and appeals wait in /pending only. /modqueue dm or /modqueue here brings "
                       "them to you."))
    return text_reply(*lines, private=True)


@cmd("appeal", N_("Ask the moderators to look again"),
     N_("`/appeal <why>`: when moderators removed or rejected your comment or banned you, ask them once to look "
        "again. In a chat it is about the latest decision there; in a private chat with me, the latest anywhere."),
     Group.DISCUSSING, params=(Param("why", ParamKind.TEXT, N_("why they should look again"), required=True),),
     example="I was quoting the article")
async def appeal_command(ctx: Context, args: str) -> Reply:
    return await appeal(ctx, args)
