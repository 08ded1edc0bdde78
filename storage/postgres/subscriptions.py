"""/subscribe on PostgreSQL: subscriptions, the queue of comments waiting to be sent privately, and who cannot
be reached."""

from __future__ import annotations

from collections.abc import Sequence

from bot.records import Comment
from storage.comments import COMMENT_COLUMNS
from storage.postgres.database import Conn, PgDatabase
from storage.subscriptions import grouped


class PgSubscriptionQueries:
    db: PgDatabase

    async def subscribe(self, chat_key: str, user_key: str, section_key: str) -> bool:
        async def work(conn: Conn) -> bool:
            await conn.execute("UPDATE users SET unreachable = 0 WHERE user_key = %s", (user_key,))
            cur = await conn.execute("INSERT INTO subscriptions(chat_key, user_key, section_key) VALUES (%s, %s, %s)"
                                     " ON CONFLICT DO NOTHING", (chat_key, user_key, section_key))
            return bool(cur.rowcount)

        return await self.db.transaction(work)

    async def unsubscribe(self, chat_key: str, user_key: str, section_key: str | None) -> int:
        if section_key is None:
            return await self.db.execute("DELETE FROM subscriptions WHERE chat_key = %s AND user_key = %s",
                                         (chat_key, user_key))
        return await self.db.execute(
            "DELETE FROM subscriptions WHERE chat_key = %s AND user_key = %s AND section_key = %s",
            (chat_key, user_key, section_key))

    async def subscriptions(self, chat_key: str, user_key: str) -> list[str]:
        rows = await self.db.fetchall("SELECT section_key FROM subscriptions WHERE chat_key = %s AND user_key = %s"
                                      " ORDER BY section_key", (chat_key, user_key))
        return [str(r[0]) for r in rows]

    async def due_digests(self, now: float, gap: float, limit: int) -> list[tuple[str, list[Comment]]]:
        async def work(conn: Conn) -> list[tuple[str, list[Comment]]]:
            # taken with the people's rows locked: of several processes, one sends each digest
            cur = await conn.execute(
                "UPDATE users SET written_at = %s WHERE user_key IN (SELECT u.user_key FROM users u WHERE"
                " EXISTS (SELECT 1 FROM outbox o WHERE o.user_key = u.user_key)"
                " AND (u.written_at IS NULL OR u.written_at <= %s) LIMIT %s FOR UPDATE SKIP LOCKED)"
                " RETURNING user_key", (now, now - gap, limit))
            users = [str(r[0]) for r in await cur.fetchall()]
            if not users:
                return []
            cur = await conn.execute(
                f"SELECT o.user_key, {COMMENT_COLUMNS} FROM outbox o JOIN comments c ON c.id = o.comment_id"
                " LEFT JOIN users u ON u.user_key = c.author_key"
                " WHERE o.user_key = ANY(%s) AND c.status = 'visible' ORDER BY o.user_key, c.id", (users,))
            rows = await cur.fetchall()
            await conn.execute("DELETE FROM outbox WHERE user_key = ANY(%s)", (users,))
            return grouped(rows)

        return await self.db.transaction(work)

    async def digest_again(self, user_key: str, comment_ids: Sequence[int], now: float) -> None:
        async def work(conn: Conn) -> None:
            for comment_id in comment_ids:
                await conn.execute("INSERT INTO outbox(user_key, comment_id, queued_at) VALUES (%s, %s, %s)"
                                   " ON CONFLICT DO NOTHING", (user_key, comment_id, now))

        await self.db.transaction(work)

    async def digest_sent(self, user_key: str, now: float, reached: bool) -> bool:
        if reached:
            await self.db.execute("UPDATE users SET unreachable = 0 WHERE user_key = %s", (user_key,))
            return False
        return bool(await self.db.execute(
            "UPDATE users SET unreachable = 1 WHERE user_key = %s AND unreachable = 0", (user_key,)))
