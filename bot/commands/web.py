"""This room's discussion as a read-only web page (/web, admins)."""

from __future__ import annotations

import secrets

from bot.commands import rooms  # noqa: F401  (registered first: /help lists this after /unlink)
from bot.commands.registry import REGISTRY, Group, Param, ParamKind
from bot.context import Context
from bot.errors import BotError
from bot.i18n import N_, _
from bot.parsing import split_first
from bot.types import Reply, text_reply

cmd = REGISTRY.command
TOKEN_BYTES = 18  # 144 random bits: a page's address cannot be guessed, only given
PAGE_PATH = "/d/"


def page_url(base: str, token: str) -> str:
    return f"{base.rstrip('/')}{PAGE_PATH}{token}"


@cmd("web", N_("This discussion as a web page"),
     N_("`/web` gives this room's web page: the article with its discussion under each section, read-only, new "
        "comments appearing live. Anyone with the address can read it. `/web off` revokes the address (`/web` "
        "then gives a new one); `/web embed on` lets other sites show the page in a frame, `/web embed off` "
        "stops that."),
     Group.MODERATING, params=(Param("what", ParamKind.CHOICE, N_("off or embed"), choices=("off", "embed")),
                               Param("embed", ParamKind.CHOICE, N_("on or off"), choices=("on", "off"))),
     admin=True, changes_state=True, example="", denied=N_("Only admins can manage the web page."))
async def web(ctx: Context, args: str) -> Reply:
    base = ctx.services.web_base_url
    if not base:
        raise BotError("This bot serves no web pages: its operator can turn them on with WEB_PORT and WEB_BASE_URL.")
    word, rest = split_first(args)
    word, rest = word.lower(), rest.strip().lower()
    if word == "off":
        if not await ctx.store.close_web_page(ctx.room_key, ctx.log("web", "off")):
            raise BotError("This room has no web page. /web makes one.")
        return text_reply(_("🌐 The web page's address no longer works. /web gives a new one."))
    if word == "embed" and rest in ("on", "off"):
        if not await ctx.store.set_web_embed(ctx.room_key, rest == "on", ctx.log("web", f"embed {rest}")):
            raise BotError("This room has no web page. /web makes one.")
        return text_reply(_("🌐 Other sites may now show this room's web page in a frame.") if rest == "on" else
                          _("🌐 Other sites can no longer show this room's web page in a frame."))
    if word:
        raise BotError("Send /web, /web off, /web embed on or /web embed off.")
    page = await ctx.store.open_web_page(ctx.room_key, secrets.token_urlsafe(TOKEN_BYTES), ctx.now(),
                                         ctx.log("web", "on"))
    return text_reply(_("🌐 This discussion on the web, read-only and live: {url}").format(
        url=page_url(base, page.token)))
