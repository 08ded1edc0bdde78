"""`SqliteStore`: the core's `Store` protocol on one SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from storage.articles import ArticleQueries
from storage.behind import Anchors, Positions, WriteBehind
from storage.caches import CHAT_ARTICLE_SECONDS
from storage.comments import CommentQueries
from storage.connection import Database
from storage.feeds import FeedQueries
from storage.inbox import InboxQueries
from storage.mirrors import MirrorQueries
from storage.moderation import ModerationQueries
from storage.people import PeopleQueries
from storage.reviews import ReviewQueries
from storage.rooms import RoomQueries
from storage.subscriptions import SubscriptionQueries
from storage.votes import VoteQueries
from storage.webpages import WebPageQueries


class SqliteStore(ArticleQueries, CommentQueries, ModerationQueries, InboxQueries, FeedQueries, VoteQueries,
                  SubscriptionQueries, ReviewQueries, RoomQueries, WebPageQueries,
                  MirrorQueries, PeopleQueries):
    def __init__(self, db: Database, *, chat_article_seconds: float = CHAT_ARTICLE_SECONDS) -> None:
        super().__init__(chat_article_seconds)
        self.db = db
        self.behind = WriteBehind(self._save_behind)

    async def _save_behind(self, positions: Positions, anchors: Anchors) -> None:
        def work(db: sqlite3.Connection) -> None:
            db.executemany(
                "INSERT OR REPLACE INTO positions(chat_key, user_key, article_id, section_key) VALUES (?, ?, ?, ?)",
                [(chat, user, p.article_id, p.section_key) for (chat, user), p in positions.items()])
            db.executemany(
                "INSERT OR REPLACE INTO anchors(chat_key, message_id, article_id, section_key, comment_number)"
                " VALUES (?, ?, ?, ?, ?)",
                [(chat, mid, a.article_id, a.section_key, a.comment_number) for (chat, mid), a in anchors.items()])

        await self.db.transaction(work)

    @classmethod
    async def open(cls, path: str | Path, *, synchronous: str = "NORMAL", busy_timeout_ms: int = 5000,
                   give_up_seconds: float = 60.0, chat_article_seconds: float = CHAT_ARTICLE_SECONDS,
                   ) -> SqliteStore:
        return cls(await Database.open(path, synchronous=synchronous, busy_timeout_ms=busy_timeout_ms,
                                       give_up_seconds=give_up_seconds), chat_article_seconds=chat_article_seconds)

    async def close(self) -> None:
        await self.behind.close()  # what trails is committed before the database closes
        await self.db.close()
