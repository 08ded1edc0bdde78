"""One person on several platforms: /me, /me link, /me unlink."""

from __future__ import annotations

from bot.commands import discussing  # noqa: F401  (registered first: /help lists this after /mycomments)
from bot.commands.modqueue import CODE_SECONDS, new_code
from bot.commands.registry import REGISTRY, Group, Param, ParamKind
from bot.context import Context
from bot.errors import BotError
from bot.i18n import N_, _
from bot.parsing import split_first
from bot.types import Reply, text_reply
from bot.views import PLATFORM_MARKS

cmd = REGISTRY.command
PERSON_PURPOSE = "person"


def account_label(user_key: str, name: str) -> str:
    mark = PLATFORM_MARKS.get(user_key.partition(":")[0], "")
    return f"{mark} {name}".strip()


@cmd("me", N_("Your accounts on other platforms"),
     N_("`/me link`, sent to me in a private message, gives a code; `/me link <code>` from your account on another "
        "platform makes the two one person: your comments show one name, /mycomments lists both, and your likes "
        "count once. `/me` lists your linked accounts; `/me name` shows this account's name on all your comments; "
        "`/me unlink` separates this account again."),
     Group.DISCUSSING, params=(Param("what", ParamKind.CHOICE, N_("link, name or unlink"),
                                     choices=("link", "name", "unlink")),
                               Param("code", ParamKind.WORD, N_("the code from /me link"))), example="")
async def me(ctx: Context, args: str) -> Reply:
    word, rest = split_first(args)
    word = word.lower()
    if word == "link":
        code = rest.strip().upper()
        if not code:
            if not ctx.event.chat.private:
                raise BotError("Send /me link to me in a private message: the code it gives is for you alone.")
            code = new_code()
            await ctx.store.issue_code(code, PERSON_PURPOSE, ctx.user_key, "*", ctx.now() + CODE_SECONDS)
            return text_reply(_("🔗 Within 10 minutes, send /me link {code} to me from your account on the other "
                                "platform, and the two will be one person here.").format(code=code), private=True)
        owner = await ctx.store.redeem_code(code, PERSON_PURPOSE, ctx.user_key, ctx.now())
        if owner is None:
            raise BotError("That code is not valid: it expired or was used. Send /me link to me privately from your "
                           "other account for a new one.")
        if owner == ctx.user_key:  # still good for the other account
            await ctx.store.issue_code(code, PERSON_PURPOSE, ctx.user_key, "*", ctx.now() + CODE_SECONDS)
            raise BotError("Send the code from your other account, not from the one that asked for it.")
        await ctx.store.link_person(ctx.user_key, owner, ctx.now())
        return text_reply(_("🔗 Linked: your accounts are one person now. /me lists them."), private=True)
    if word == "unlink":
        if not await ctx.store.unlink_person(ctx.user_key):
            raise BotError("This account is not linked to another one.")
        return text_reply(_("This account is on its own again: its comments show its own name."), private=True)
    if word == "name":
        if not await ctx.store.name_person(ctx.user_key):
            raise BotError("This account is not linked to another one.")
        return text_reply(_("Your comments show this account's name now: {name}.").format(name=ctx.event.user.name),
                          private=True)
    if word:
        raise BotError("Send /me, /me link, /me name or /me unlink.")
    accounts = await ctx.store.person_accounts(ctx.user_key)
    if not accounts:
        return text_reply(_("This account is not linked to another one. Send /me link to me in a private message "
                            "to link your account on another platform."), private=True)
    return text_reply(_("You are one person on: {accounts}.").format(
        accounts=", ".join(account_label(key, name) for key, name in accounts)),
        _("Your comments show the name of {first}; /me name from another of your accounts shows its name instead.")
        .format(first=account_label(*accounts[0])), private=True)
