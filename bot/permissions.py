"""Who may do what: bot owner (settings) > chat admin (asked of the adapter, cached) > member."""

from __future__ import annotations

from enum import IntEnum

from bot.ports import Clock, Platform
from bot.types import Chat, User


class Role(IntEnum):
    MEMBER = 0
    ADMIN = 1
    OWNER = 2


class Permissions:
    def __init__(self, owners: frozenset[str], clock: Clock, cache_seconds: float = 60.0) -> None:
        self.owners = owners
        self.clock = clock
        self.cache_seconds = cache_seconds
        self._cache: dict[tuple[str, str], tuple[float, bool]] = {}

    async def role(self, chat: Chat, user: User, platform: Platform, *, sender_is_chat: bool = False) -> Role:
        if user.key in self.owners:
            return Role.OWNER
        if chat.private:
            return Role.MEMBER  # a private chat has no admins, only owners
        if sender_is_chat:
            return Role.ADMIN  # only a chat's admins can post as the chat itself
        key = (chat.key, user.key)
        now = self.clock.now()
        cached = self._cache.get(key)
        if cached is not None and cached[0] > now:
            return Role.ADMIN if cached[1] else Role.MEMBER
        is_admin = await platform.is_chat_admin(chat, user)
        if self.cache_seconds > 0:
            if len(self._cache) > 50_000:
                self._cache.clear()  # bounded memory beats a perfect hit rate here
            self._cache[key] = (now + self.cache_seconds, is_admin)
        return Role.ADMIN if is_admin else Role.MEMBER
