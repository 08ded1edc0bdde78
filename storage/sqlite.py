"""`SqliteStore`: the core's `Store` protocol on one SQLite file."""

from __future__ import annotations

from pathlib import Path

from storage.articles import CHAT_ARTICLE_SECONDS, ArticleQueries
from storage.behind import WriteBehind
from storage.comments import CommentQueries
from storage.connection import Database
from storage.inbox import InboxQueries
from storage.moderation import ModerationQueries


class SqliteStore(ArticleQueries, CommentQueries, ModerationQueries, InboxQueries):
    def __init__(self, db: Database, *, chat_article_seconds: float = CHAT_ARTICLE_SECONDS) -> None:
        self.db = db
        self.behind = WriteBehind(db)
        self.chat_article_seconds = chat_article_seconds
        self._article_cache = {}
        self._known_users = {}
        self._chat_articles = {}
        self._positions = {}

    @classmethod
    async def open(cls, path: str | Path, *, synchronous: str = "NORMAL", busy_timeout_ms: int = 5000,
                   give_up_seconds: float = 60.0, chat_article_seconds: float = CHAT_ARTICLE_SECONDS,
                   ) -> SqliteStore:
        return cls(await Database.open(path, synchronous=synchronous, busy_timeout_ms=busy_timeout_ms,
                                       give_up_seconds=give_up_seconds), chat_article_seconds=chat_article_seconds)

    async def close(self) -> None:
        await self.behind.close()  # what trails is committed before the database closes
        await self.db.close()
