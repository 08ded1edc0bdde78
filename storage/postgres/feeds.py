"""Followed feeds, the posts each chat has been shown, and the claim that makes one process poll each feed."""

from __future__ import annotations

from collections.abc import Sequence

from bot.records import FeedFollow, ModlogEntry
from storage.feeds import FEED_COLUMNS, to_follow
from storage.postgres.comments import insert_modlog
from storage.postgres.database import Conn, PgDatabase


class PgFeedQueries:
    db: PgDatabase

    async def follow_feed(self, follow: FeedFollow, seen: Sequence[str], log: ModlogEntry) -> bool:
        async def work(conn: Conn) -> bool:
            cur = await conn.execute(
                f"INSERT INTO feeds({FEED_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT DO NOTHING",
                (follow.chat_key, follow.url, follow.title, int(follow.switch), follow.added_by, follow.added_at,
                 follow.next_poll, follow.etag, follow.modified, follow.failures))
            if not cur.rowcount:
                return False
            if seen:
                await conn.execute(
                    "INSERT INTO feed_entries(chat_key, url, entry, seen_at) SELECT %s, %s, e, %s"
                    " FROM unnest(%s::text[]) AS e ON CONFLICT DO NOTHING",
                    (follow.chat_key, follow.url, follow.added_at, list(seen)))
            await insert_modlog(conn, log)
            return True

        return await self.db.transaction(work)

    async def unfollow_feed(self, chat_key: str, url: str, log: ModlogEntry) -> bool:
        async def work(conn: Conn) -> bool:
            cur = await conn.execute("DELETE FROM feeds WHERE chat_key = %s AND url = %s", (chat_key, url))
            await conn.execute("DELETE FROM feed_entries WHERE chat_key = %s AND url = %s", (chat_key, url))
            if cur.rowcount:
                await insert_modlog(conn, log)
            return bool(cur.rowcount)

        return await self.db.transaction(work)

    async def chat_feeds(self, chat_key: str) -> list[FeedFollow]:
        rows = await self.db.fetchall(
            f"SELECT {FEED_COLUMNS} FROM feeds WHERE chat_key = %s ORDER BY added_at, url", (chat_key,))
        return [to_follow(r) for r in rows]

    async def claim_due_feeds(self, now: float, holder: str, hold_seconds: float, limit: int) -> list[FeedFollow]:
        # SKIP LOCKED: processes polling at once each take different feeds, none waits for another
        rows = await self.db.write(
            f"UPDATE feeds SET holder = %s, held_until = %s WHERE (chat_key, url) IN ("
            " SELECT chat_key, url FROM feeds WHERE next_poll <= %s AND (held_until IS NULL OR held_until < %s)"
            f" ORDER BY next_poll LIMIT %s FOR UPDATE SKIP LOCKED) RETURNING {FEED_COLUMNS}",
            (holder, now + hold_seconds, now, now, limit))
        return [to_follow(r) for r in rows]

    async def unseen_entries(self, chat_key: str, url: str, keys: Sequence[str]) -> list[str]:
        if not keys:
            return []
        rows = await self.db.fetchall(
            "SELECT entry FROM feed_entries WHERE chat_key = %s AND url = %s AND entry = ANY(%s)",
            (chat_key, url, list(keys)))
        seen = {str(r[0]) for r in rows}
        return [key for key in keys if key not in seen]

    async def feed_polled(self, follow: FeedFollow, seen: Sequence[str], now: float) -> None:
        async def work(conn: Conn) -> None:
            await conn.execute(
                "UPDATE feeds SET title = %s, next_poll = %s, etag = %s, modified = %s, failures = %s,"
                " holder = NULL, held_until = NULL WHERE chat_key = %s AND url = %s",
                (follow.title, follow.next_poll, follow.etag, follow.modified, follow.failures, follow.chat_key,
                 follow.url))
            if seen:
                await conn.execute(
                    "INSERT INTO feed_entries(chat_key, url, entry, seen_at) SELECT %s, %s, e, %s"
                    " FROM unnest(%s::text[]) AS e ON CONFLICT DO NOTHING",
                    (follow.chat_key, follow.url, now, list(seen)))

        await self.db.transaction(work)
