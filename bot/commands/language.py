"""Choosing the language the bot answers in: per person, and per chat for public answers."""

from __future__ import annotations

from bot.commands import reading  # noqa: F401  (registered first: /help lists /language after the reading commands)
from bot.commands.registry import REGISTRY, Group, Param, ParamKind
from bot.context import Context
from bot.errors import BotError
from bot.i18n import N_, NAMES, _, normalize, speaking
from bot.parsing import split_first
from bot.types import Reply, text_reply

AUTO = ("auto", "default", "自动", "默认")


def choice(word: str) -> str | None:
    """"auto" → "" (follow the app / the chat), a language → its code; None when neither."""
    if word.lower() in AUTO:
        return ""
    return normalize(word)


@REGISTRY.command(
    "language", N_("Choose the language I answer you in"),
    N_("`/language zh` or `/language en` sets the language I answer you in; `/language auto` follows your app's "
       "language. Admins: `/language chat zh` sets the language of my public answers in this chat."),
    Group.READING, params=(Param("language", ParamKind.TEXT, N_("zh, en or auto; admins: chat zh|en|auto")),),
    aliases=("lang",), example="zh")
async def language(ctx: Context, args: str) -> Reply:
    first, rest = split_first(args)
    if not first:
        chat, own = await ctx.store.languages(ctx.chat_key, ctx.user_key)
        mine = NAMES[own] if own else _("automatic ({language})").format(language=NAMES[ctx.own_language])
        here = NAMES[chat] if chat else _("not set")
        return text_reply(_("I answer you in {mine}. This chat's language: {chat}.").format(mine=mine, chat=here),
                          _("Change it with /language zh, /language en or /language auto; admins set the chat's "
                            "with /language chat zh."), private=True)
    if first.lower() in ("chat", "group", "群", "群组"):
        await ctx.require_admin(N_("Only admins can choose this chat's language."))
        code = choice(rest.strip())
        if code is None:
            raise BotError("Say which: /language chat zh, /language chat en or /language chat auto.")
        await ctx.store.set_chat_setting(ctx.chat_key, "language", code, ctx.log("language", "chat", after=code))
        _chat, own = await ctx.store.languages(ctx.chat_key, ctx.user_key)
        with speaking(code or own or normalize(ctx.event.user.language)):
            if code:
                return text_reply(_("This chat's public answers are now in {language}.").format(
                    language=NAMES[code]))
            return text_reply(_("This chat has no language of its own now: I answer each person in theirs."))
    code = choice(first)
    if code is None:
        raise BotError("I speak English (en) and Simplified Chinese (zh). Try /language zh, /language en or "
                       "/language auto.")
    await ctx.store.set_user_language(ctx.user_key, code or None)
    with speaking(code or normalize(ctx.event.user.language)):
        if code:
            return text_reply(_("From now on I answer you in {language}.").format(language=NAMES[code]),
                              private=True)
        return text_reply(_("From now on I answer you in your app's language."), private=True)
