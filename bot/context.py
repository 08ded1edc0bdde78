"""Per-event context handed to command handlers: who, where, their role, this chat's article and settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.chat_config import ChatConfig
from bot.errors import BotError
from bot.i18n import ENGLISH
from bot.permissions import Permissions, Role
from bot.ports import Clock, FeedSource, Pages, Platform, Store
from bot.records import Article, ModlogEntry, Position
from bot.types import Event


@dataclass
class Services:
    """What the core is built from; one instance per process."""

    store: Store
    clock: Clock
    permissions: Permissions
    defaults: ChatConfig
    import_max_bytes: int
    comment_max_chars: int
    pages: Pages | None = None
    feeds: FeedSource | None = None
    feed_poll_seconds: float = 900.0
    web_base_url: str | None = None  # where this fleet's web pages are served (/web prints links under it)
    # wakes the mod queue's sender after something was queued for moderators (the runner sets it)
    nudge: Callable[[], None] = field(default=lambda: None)
    # told of every event answered: (platform, what came in, seconds taken, failed unexpectedly); for /metrics
    observe: Callable[[str, str, float, bool], None] = field(default=lambda platform, kind, seconds, failed: None)


@dataclass
class Context:
    services: Services
    event: Event
    platform: Platform
    _role: Role | None = field(default=None, init=False)
    _config: ChatConfig | None = field(default=None, init=False)
    _article: Article | None = field(default=None, init=False)
    _position: Position | None = field(default=None, init=False)
    language: str = ENGLISH  # of public answers to this event
    own_language: str = ENGLISH  # of what only the sender sees
    discussion_key: str | None = None  # the discussion this room joined with /link, when it did

    @property
    def store(self) -> Store:
        return self.services.store

    @property
    def chat_key(self) -> str:
        """The discussion this event belongs to: the room's own, or the one it joined (/link). Comments,
        article choice, locks, filters, settings and the modlog live here."""
        return self.discussion_key or self.event.chat.key

    @property
    def room_key(self) -> str:
        """The room the event happened in (its messages, and bans given there without `everywhere`)."""
        return self.event.chat.key

    @property
    def linked(self) -> bool:
        return self.discussion_key is not None and self.discussion_key != self.event.chat.key

    @property
    def user_key(self) -> str:
        return self.event.user.key

    def now(self) -> float:
        return self.services.clock.now()

    async def role(self) -> Role:
        if self._role is None:
            self._role = await self.services.permissions.role(
                self.event.chat, self.event.user, self.platform, sender_is_chat=self.event.sender_is_chat
            )
        return self._role

    async def is_admin(self) -> bool:
        return await self.role() >= Role.ADMIN

    async def require_admin(self, refusal: str) -> None:
        """`refusal`: the whole sentence a member is told (a catalog message, translated when shown)."""
        if not await self.is_admin():
            raise BotError(refusal)

    async def config(self) -> ChatConfig:
        if self._config is None:
            self._config = self.services.defaults.merged(await self.store.chat_settings(self.chat_key))
        return self._config

    async def article(self) -> Article:
        """The article this chat reads: the one chosen here, else the newest imported."""
        if self._article is None:
            self._article, self._position = await self.store.reading_state(self.chat_key, self.user_key)
            if self._article is None:
                raise BotError("No article has been imported yet. An admin can add one with /import.")
        return self._article

    async def position(self) -> Position | None:
        """Where this user last was in this chat (read together with the article)."""
        await self.article()
        return self._position

    def use_settings(self, stored: dict[str, str]) -> ChatConfig:
        self._config = self.services.defaults.merged(stored)
        return self._config

    def log(self, action: str, target: str, reason: str | None = None, *, before: str | None = None,
            after: str | None = None) -> ModlogEntry:
        return ModlogEntry(self.chat_key, self.now(), self.user_key, action, target, reason, before, after)
