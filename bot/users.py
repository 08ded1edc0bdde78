"""Finding the user a moderation command names: a reply, a mention, an id, or a known name."""

from __future__ import annotations

from bot.context import Context
from bot.errors import BotError
from bot.i18n import Msg
from bot.parsing import split_first
from bot.types import User


async def named_user(ctx: Context, args: str, usage: str) -> tuple[User, str]:
    """The user `args` starts with (or the replied-to user) and the remaining text.

    Adapters turn platform mentions into `platform:id` keys before the core sees them; a name is
    looked up among users this bot has seen on the same platform.
    """
    first, rest = split_first(args)
    platform = ctx.event.chat.platform
    target = ctx.event.target_user
    if target is not None and first == target.key:
        return target, rest  # the adapter turned a mention into this key and knows the name
    if not first or (target is not None and not _looks_like_user(first, platform)):
        if target is None:
            raise BotError("Who? Name a user, or reply to one of their messages. Usage: {usage}", usage=Msg(usage))
        return target, args.strip()
    if first.startswith(platform + ":") and first.split(":", 1)[1]:
        return User(first, await ctx.store.user_name(first) or first.split(":", 1)[1]), rest
    if first.isascii() and first.isdigit():
        key = f"{platform}:{first}"
        return User(key, await ctx.store.user_name(key) or first), rest
    found = await ctx.store.find_users(platform, first)
    if not found:
        raise BotError("I don't know a user called “{name}” here. Reply to one of their messages, mention them, or "
                       "give their numeric id.", name=first[:40])
    if len(found) > 1:
        keys = ", ".join(u.key for u in found)
        raise BotError("Several users are called “{name}”: {keys}. Use the id instead.", name=first[:40], keys=keys)
    return found[0], rest


def _looks_like_user(word: str, platform: str) -> bool:
    return word.startswith("@") or word.startswith(platform + ":") or (word.isascii() and word.isdigit())
