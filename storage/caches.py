"""What a store keeps in memory between events: each event asks which article its chat reads, where its
reader is, and who sent it, and nearly always the answer has not changed. Both stores keep the same caches;
only how they read a miss differs."""

from __future__ import annotations

import time
from typing import Any

from bot.records import Article, Position

# How long this process trusts what it last read of a chat's article choice. Its own changes apply at once;
# this only bounds how soon an article imported by another process (`articlebot import`) is noticed.
CHAT_ARTICLE_SECONDS = 2.0
POSITIONS_KEPT = 100_000
PAIR = "\x1e"  # between a chat key and a user key in one notified key
USERS_KEPT = 100_000
# How long a section's comment count and lock are trusted: this process's own changes apply at once, so this only
# bounds how soon /section shows a comment another process saved (reading it is a third of /section's store time)
SECTION_STATE_SECONDS = 1.0
CHATS_KEPT = 100_000


class ReadCaches:
    def __init__(self, chat_article_seconds: float = CHAT_ARTICLE_SECONDS) -> None:
        self.chat_article_seconds = chat_article_seconds
        # article id -> (its updated_at, the article)
        self._article_cache: dict[int, tuple[float, Article]] = {}
        # chat key -> (monotonic time read, article id, its updated_at): which article a chat reads
        self._chat_articles: dict[str, tuple[float, int, float]] = {}
        # (chat key, user key) -> where the user last was; only this process writes a reader's position
        self._positions: dict[tuple[str, str], Position | None] = {}
        # user key -> (name, folded handle) as stored
        self._known_users: dict[str, tuple[str, str | None]] = {}
        # (chat key, user key) -> (monotonic time read, the chat's language, the person's language)
        self._languages: dict[tuple[str, str], tuple[float, str | None, str | None]] = {}
        # room key -> (monotonic time read, the discussion it reads and writes: its own key unless it joined
        # another with /link); trusted as long as a chat's article (a room linked by another process sharing a
        # SQLite file is seen this soon; PostgreSQL tells at once)
        self._discussions: dict[str, tuple[float, str]] = {}
        # chat key -> (article id, section key) -> (monotonic time read, visible comments, locked)
        self._section_states: dict[str, dict[tuple[int, str], tuple[float, int, bool]]] = {}

    async def tell_others(self, conn: Any, kind: str, keys: list[str]) -> None:
        """Tell the other processes on this database what this one changed (PostgreSQL; SQLite's caches are
        bounded by time instead)."""
        return None

    def caches_trusted(self) -> bool:
        """False while this process could miss what others change (PostgreSQL: its listener is down)."""
        return True

    def drop_cached(self, kind: str, keys: list[str]) -> None:
        """Another process changed these: forget what was kept of them."""
        if kind == "chat":
            for key in keys:
                self._chat_articles.pop(key, None)
        elif kind == "positions":
            for key in keys:
                chat, _, user = key.partition(PAIR)
                self._positions.pop((chat, user), None)
        elif kind == "languages":
            self._languages.clear()
        elif kind == "rooms":
            for key in keys:
                self._discussions.pop(key, None)
        else:  # an article re-imported or anything not known here: start afresh
            self.drop_all_cached()

    def drop_all_cached(self) -> None:
        self._section_states.clear()
        self._discussions.clear()
        self._chat_articles.clear()
        self._positions.clear()
        self._languages.clear()

    def cached_state(self, chat_key: str, user_key: str) -> tuple[Article, Position | None] | None:
        """The reading state from memory, or None when it must be read."""
        if not self.caches_trusted():
            return None
        known = self._chat_articles.get(chat_key)
        if known is None or time.monotonic() - known[0] >= self.chat_article_seconds:
            return None
        cached = self._article_cache.get(known[1])
        where = (chat_key, user_key)
        if cached is None or cached[0] != known[2] or where not in self._positions:
            return None
        return cached[1], self._positions[where]

    def remember_chat_article(self, chat_key: str, article_id: int, updated_at: float) -> None:
        self._chat_articles[chat_key] = (time.monotonic(), article_id, updated_at)

    def cached_article(self, article_id: int, updated_at: float) -> Article | None:
        cached = self._article_cache.get(article_id)
        return cached[1] if cached is not None and cached[0] == updated_at else None

    def remember_article(self, updated_at: float, article: Article) -> None:
        self._article_cache[article.id] = (updated_at, article)

    def remember_position(self, chat_key: str, user_key: str, position: Position | None) -> None:
        if len(self._positions) >= POSITIONS_KEPT:
            self._positions.clear()  # bounded memory; each reader costs one read again
        self._positions[(chat_key, user_key)] = position

    def cached_section_state(self, chat_key: str, article_id: int, section_key: str) -> tuple[int, bool] | None:
        known = self._section_states.get(chat_key, {}).get((article_id, section_key))
        if known is None or time.monotonic() - known[0] >= SECTION_STATE_SECONDS or not self.caches_trusted():
            return None
        return known[1], known[2]

    def remember_section_state(self, chat_key: str, article_id: int, section_key: str, count: int, locked: bool
                               ) -> None:
        if len(self._section_states) >= CHATS_KEPT:
            self._section_states.clear()
        self._section_states.setdefault(chat_key, {})[(article_id, section_key)] = (time.monotonic(), count, locked)

    def forget_section_states(self, chat_key: str) -> None:
        """A comment of this chat was added, hidden or shown, or a section locked: read its counts again."""
        self._section_states.pop(chat_key, None)

    def cached_discussion(self, room_key: str) -> str | None:
        known = self._discussions.get(room_key)
        if known is None or time.monotonic() - known[0] >= self.chat_article_seconds or not self.caches_trusted():
            return None
        return known[1]

    def remember_discussion(self, room_key: str, discussion_key: str) -> None:
        if len(self._discussions) >= CHATS_KEPT:
            self._discussions.clear()
        self._discussions[room_key] = (time.monotonic(), discussion_key)

    def cached_languages(self, chat_key: str, user_key: str) -> tuple[str | None, str | None] | None:
        if not self.caches_trusted():
            return None
        known = self._languages.get((chat_key, user_key))
        if known is None or time.monotonic() - known[0] >= self.chat_article_seconds:
            return None
        return known[1], known[2]

    def remember_languages(self, chat_key: str, user_key: str, chat: str | None, person: str | None) -> None:
        if len(self._languages) >= POSITIONS_KEPT:
            self._languages.clear()
        self._languages[(chat_key, user_key)] = (time.monotonic(), chat, person)

    def forget_languages(self) -> None:
        """A language was chosen here: this process answers in it from the next event on."""
        self._languages.clear()

    def known_user(self, user_key: str, name: str, handle: str | None) -> bool:
        return self._known_users.get(user_key) == (name, handle)

    def remember_user_seen(self, user_key: str, name: str, handle: str | None) -> None:
        if len(self._known_users) > USERS_KEPT:
            self._known_users.clear()  # bounded memory; the next event per user costs one read again
        self._known_users[user_key] = (name, handle)
