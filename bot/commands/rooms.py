"""One discussion in several rooms: /link, /links, /unlink, /mirror (admins)."""

from __future__ import annotations

from bot.commands import modqueue  # noqa: F401  (registered first: /help lists these after /modqueue)
from bot.commands.modqueue import CODE_SECONDS, new_code
from bot.commands.registry import REGISTRY, Group, Param, ParamKind
from bot.context import Context
from bot.errors import BotError
from bot.i18n import N_, _
from bot.types import Reply, text_reply
from bot.views import PLATFORM_MARKS

cmd = REGISTRY.command
LINK_PURPOSE = "link"


def room_label(room_key: str, title: str | None) -> str:
    mark = PLATFORM_MARKS.get(room_key.partition(":")[0], "")
    return f"{mark} {title}".strip() if title else (mark or "?")


@cmd("link", N_("Share this discussion with another room"),
     N_("`/link` gives a code for 10 minutes; `/link <code>` by an admin of another room (Telegram or Discord) "
        "makes that room share this one's discussion: one article, one numbering, one set of comments and one "
        "moderation. Only a room without comments of its own can join."),
     Group.MODERATING, params=(Param("code", ParamKind.WORD, N_("the code from /link in the other room")),),
     admin=True, changes_state=True, example="", denied=N_("Only admins can link rooms."))
async def link(ctx: Context, args: str) -> Reply:
    code = args.strip().upper()
    if not code:
        if ctx.linked:
            raise BotError("This room already shares another room's discussion; give the code from there.")
        code = new_code()
        await ctx.store.issue_code(code, LINK_PURPOSE, ctx.chat_key, "*", ctx.now() + CODE_SECONDS)
        return text_reply(_("🔗 An admin of the other room sends /link {code} there within 10 minutes, and it "
                            "shares this discussion.").format(code=code), private=True)
    discussion = await ctx.store.redeem_code(code, LINK_PURPOSE, ctx.user_key, ctx.now())
    if discussion is None:
        raise BotError("That code is not valid: it expired or was used. Send /link in the other room for a new one.")
    if discussion in (ctx.room_key, ctx.chat_key):
        raise BotError("Give the code in another room, not in the one it came from.")
    if ctx.linked or await ctx.store.linked_rooms(ctx.room_key):
        raise BotError("This room is linked already. /unlink it first.")
    if not await ctx.store.link_room(ctx.room_key, discussion, ctx.event.chat.title, ctx.now(),
                                     ctx.log("link", discussion)):
        raise BotError("This room has comments of its own, so it can't join another discussion.")
    return text_reply(_("🔗 Linked: this room now shares the other room's discussion. /links lists the rooms."))


@cmd("links", N_("The rooms sharing this discussion"), N_("Lists the rooms that share this discussion."),
     Group.MODERATING)
async def links(ctx: Context, args: str) -> Reply:
    rooms = await ctx.store.linked_rooms(ctx.chat_key)
    if not rooms:
        return text_reply(_("This discussion is not shared with another room. An admin links one with /link."),
                          private=True)
    labels = [room_label(key, title) for key, title in rooms]
    return text_reply(_("Sharing this discussion: the room that gave the code, and {rooms}.").format(
        rooms=", ".join(labels)), private=True)


@cmd("unlink", N_("Stop sharing the discussion"),
     N_("`/unlink` in a room that joined another's discussion leaves it, keeping a copy of the discussion so far."),
     Group.MODERATING, admin=True, changes_state=True, example="", denied=N_("Only admins can unlink rooms."))
async def unlink(ctx: Context, args: str) -> Reply:
    if not ctx.linked:
        raise BotError("This room shares no other room's discussion. (In the room that gave the code, the others "
                       "leave with /unlink there.)")
    await ctx.store.unlink_room(ctx.room_key, ctx.log("unlink", ctx.chat_key))
    return text_reply(_("This room has its own discussion again, starting from a copy of the shared one."))


@cmd("mirror", N_("Show the other rooms' new comments here"),
     N_("`/mirror on` posts each new comment from the rooms sharing this discussion here as it comes (several "
        "to a message when busy; never this room's own), and keeps the copies up to date when a comment is "
        "edited or removed. Replying to a copy replies to the comment. `/mirror off` stops; `/mirror` alone "
        "says whether it is on."),
     Group.MODERATING, params=(Param("on", ParamKind.CHOICE, N_("on or off"), choices=("on", "off")),),
     admin=True, changes_state=True, example="on", denied=N_("Only admins can mirror other rooms' comments."))
async def mirror(ctx: Context, args: str) -> Reply:
    word = args.strip().lower()
    if word not in ("on", "off"):
        if word:
            raise BotError("Send /mirror on or /mirror off.")
        on = await ctx.store.mirror_on(ctx.room_key)
        return text_reply(_("🔁 Comments from the other rooms are posted here as they come.") if on else
                          _("🔁 Comments from the other rooms are not posted here. /mirror on starts that."),
                          private=True)
    if word == "on" and not (ctx.linked or await ctx.store.linked_rooms(ctx.room_key)):
        raise BotError("This room shares its discussion with no other room yet, so there is nothing to mirror. "
                       "Link one with /link first.")
    changed = await ctx.store.set_mirror(ctx.room_key, ctx.chat_key, word == "on", ctx.log("mirror", word))
    if word == "on":
        return text_reply(_("🔁 From now on, new comments from the other rooms are posted here as they come.")
                          if changed else _("🔁 Mirroring is on already."))
    return text_reply(_("🔁 Comments from the other rooms are no longer posted here.") if changed
                      else _("🔁 Mirroring is off already."))
