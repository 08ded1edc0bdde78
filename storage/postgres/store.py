"""`PostgresStore`: the core's store protocols on a PostgreSQL database shared by any number of processes."""

from __future__ import annotations

from storage.behind import Anchors, Positions, WriteBehind
from storage.caches import CHAT_ARTICLE_SECONDS, PAIR
from storage.postgres.articles import PgArticleQueries
from storage.postgres.comments import PgCommentQueries
from storage.postgres.database import POOL_SIZE, Conn, PgDatabase
from storage.postgres.feeds import PgFeedQueries
from storage.postgres.inbox import PgInboxQueries
from storage.postgres.listener import CHANNEL, CacheListener
from storage.postgres.mirrors import PgMirrorQueries
from storage.postgres.moderation import PgModerationQueries
from storage.postgres.people import PgPeopleQueries
from storage.postgres.reviews import PgReviewQueries
from storage.postgres.rooms import PgRoomQueries
from storage.postgres.subscriptions import PgSubscriptionQueries
from storage.postgres.votes import PgVoteQueries
from storage.postgres.webpages import PgWebPageQueries


class PostgresStore(PgArticleQueries, PgCommentQueries, PgModerationQueries, PgInboxQueries, PgFeedQueries,
                    PgVoteQueries, PgSubscriptionQueries, PgReviewQueries, PgRoomQueries,
                    PgWebPageQueries, PgMirrorQueries, PgPeopleQueries):
    def __init__(self, db: PgDatabase, *, chat_article_seconds: float = CHAT_ARTICLE_SECONDS) -> None:
        super().__init__(chat_article_seconds)
        self.db = db
        self.behind = WriteBehind(self._save_behind)
        self.listener = CacheListener(db.pool.url, self.drop_cached, self.drop_all_cached)

    @classmethod
    async def open(cls, url: str, *, pool_size: int = POOL_SIZE,
                   chat_article_seconds: float = CHAT_ARTICLE_SECONDS) -> PostgresStore:
        store = cls(await PgDatabase.open(url, pool_size=pool_size), chat_article_seconds=chat_article_seconds)
        store.listener.start()
        return store

    def caches_trusted(self) -> bool:
        return self.listener.listening.is_set()

    async def tell_others(self, conn: Conn | None, kind: str, keys: list[str]) -> None:
        """NOTIFY the other processes (delivered when the writing transaction commits)."""
        for payload in self.listener.payloads(kind, keys):
            if conn is not None:
                await conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))
            else:
                await self.db.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))

    async def _save_behind(self, positions: Positions, anchors: Anchors) -> None:
        async def work(conn: Conn) -> None:
            async with conn.cursor() as cur:
                if positions:
                    await cur.executemany(
                        "INSERT INTO positions(chat_key, user_key, article_id, section_key) VALUES (%s, %s, %s, %s)"
                        " ON CONFLICT (chat_key, user_key) DO UPDATE SET article_id = excluded.article_id,"
                        " section_key = excluded.section_key",
                        [(chat, user, p.article_id, p.section_key) for (chat, user), p in sorted(positions.items())])
                if anchors:
                    await cur.executemany(
                        "INSERT INTO anchors(chat_key, message_id, article_id, section_key, comment_number)"
                        " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (chat_key, message_id) DO UPDATE SET"
                        " article_id = excluded.article_id, section_key = excluded.section_key,"
                        " comment_number = excluded.comment_number",
                        [(chat, mid, a.article_id, a.section_key, a.comment_number)
                         for (chat, mid), a in sorted(anchors.items())])
            if positions:
                await self.tell_others(conn, "positions", [f"{chat}{PAIR}{user}" for chat, user in positions])

        await self.db.transaction(work)

    async def close(self) -> None:
        await self.behind.close()  # what trails is committed before the pool closes
        await self.listener.close()
        await self.db.close()
