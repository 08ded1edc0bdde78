"""Interactions read straight from their raw payload (the gateway's INTERACTION_CREATE or the HTTP endpoint's
POST body), with no discord.py `Interaction`, `Member` or `User` built: who, where, what, and the permissions
Discord computed for that member in that channel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import discord

from adapters.discord.events import NoChannel, NoUser, Unreadable
from adapters.discord.platform import is_moderator
from bot.i18n import normalize
from bot.types import Chat, User

JSON = dict[str, Any]
PING, APPLICATION_COMMAND, COMPONENT, AUTOCOMPLETE = 1, 2, 3, 4
HANDLED = frozenset({APPLICATION_COMMAND, COMPONENT, AUTOCOMPLETE})
DM, GROUP_DM = 1, 3  # channel types without a server
THREADS = frozenset({10, 11, 12})


class NotAnInteraction(Unreadable):
    message = ""  # never shown: without an id and token there is nobody to answer


@dataclass(frozen=True, slots=True)
class RawInteraction:
    id: int
    token: str
    type: int
    application_id: int
    data: JSON
    chat: Chat
    user: User
    moderator: bool | None  # from the member's channel permissions; None outside a server
    message: JSON | None  # the message a pressed button is on

    @property
    def language(self) -> str | None:
        return normalize(self.user.language)


def _int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 20:
        return int(value)
    return None


def _dict(value: Any) -> JSON:
    return value if isinstance(value, dict) else {}


def _user(payload: JSON) -> tuple[User, bool | None]:
    member = _dict(payload.get("member"))
    user = _dict(member.get("user")) or _dict(payload.get("user"))
    ident = _int(user.get("id"))
    if ident is None:
        raise NoUser
    name = member.get("nick") or user.get("global_name") or user.get("username") or str(ident)
    handle = user.get("username")
    locale = payload.get("locale")
    moderator = None
    permissions = _int(member.get("permissions"))
    if member and permissions is not None:
        moderator = is_moderator(discord.Permissions(permissions))
    return User(f"discord:{ident}", str(name), handle=str(handle) if isinstance(handle, str) else None,
                language=locale if isinstance(locale, str) else None), moderator


def _chat(payload: JSON) -> Chat:
    channel = _dict(payload.get("channel"))
    channel_id = _int(payload.get("channel_id")) or _int(channel.get("id"))
    if channel_id is None:
        raise NoChannel
    kind = _int(channel.get("type"))
    private = kind in (DM, GROUP_DM) if kind is not None else payload.get("guild_id") is None
    title = channel.get("name")
    return Chat(f"discord:{channel_id}", private=private, thread=str(channel_id) if kind in THREADS else None,
                title=title if isinstance(title, str) else None)


def read(payload: Any) -> RawInteraction:
    """Raises NotAnInteraction without an id and token (nothing can be answered), NoUser or NoChannel when
    it says nothing usable about who or where (answered so)."""
    body = _dict(payload)
    ident, token, kind = _int(body.get("id")), body.get("token"), _int(body.get("type"))
    if ident is None or not isinstance(token, str) or not token or kind is None:
        raise NotAnInteraction
    data = body.get("data", {})
    if not isinstance(data, dict):
        raise TypeError(f"an interaction's data is a {type(data).__name__}, not an object")
    user, moderator = _user(body)
    return RawInteraction(ident, token, kind, _int(body.get("application_id")) or 0, data,
                          _chat(body), user, moderator, body.get("message") if isinstance(body.get("message"), dict)
                          else None)


def message_has(message: JSON | None, custom_id: str) -> bool:
    """Does the raw message carry a button with this custom_id?"""
    for row in (message or {}).get("components") or ():
        for child in _dict(row).get("components") or ():
            if _dict(child).get("custom_id") == custom_id:
                return True
    return False
