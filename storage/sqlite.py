"""`SqliteStore`: the core's `Store` protocol on one SQLite file."""

from __future__ import annotations

from pathlib import Path

from storage.articles import ArticleQueries
from storage.comments import CommentQueries
from storage.connection import Database
from storage.inbox import InboxQueries
from storage.moderation import ModerationQueries


class SqliteStore(ArticleQueries, CommentQueries, ModerationQueries, InboxQueries):
    def __init__(self, db: Database) -> None:
        self.db = db

    @classmethod
    async def open(cls, path: str | Path, *, synchronous: str = "NORMAL") -> SqliteStore:
        return cls(await Database.open(path, synchronous=synchronous))

    async def close(self) -> None:
        await self.db.close()
