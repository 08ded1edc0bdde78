"""The mod queue on PostgreSQL: reviews to send and to settle, where their copies went, who gets private copies,
and one-time codes."""

from __future__ import annotations

from collections.abc import Sequence

from bot.records import ModlogEntry, Review
from bot.types import Sent
from storage.postgres.comments import insert_modlog
from storage.postgres.database import Conn, PgDatabase
from storage.reviews import DUE, INSERT, REVIEW_COLUMNS, review_params, to_review

PG_INSERT = INSERT.format(marks=", ".join(["%s"] * 11)) + " RETURNING id"


class PgReviewQueries:
    db: PgDatabase

    async def open_review(self, review: Review) -> int | None:
        rows = await self.db.write(PG_INSERT, review_params(review))
        return int(rows[0][0]) if rows else None

    async def review(self, review_id: int) -> Review | None:
        row = await self.db.fetchone(f"SELECT {REVIEW_COLUMNS} FROM reviews WHERE id = %s", (review_id,))
        return None if row is None else to_review(row)

    async def decide_review(self, review_id: int, state: str, actor_key: str, now: float, announce: bool) -> bool:
        return bool(await self.db.execute(
            "UPDATE reviews SET state = %s, decided_by = %s, decided_at = %s, announce = %s WHERE id = %s"
            " AND state = 'open'", (state, actor_key, now, int(announce), review_id)))

    async def reviews_due(self, now: float, holder: str, hold_seconds: float, limit: int) -> list[Review]:
        # claimed with the rows locked: of several processes, one sends each review
        rows = await self.db.write(
            f"UPDATE reviews SET holder = %s, held_until = %s WHERE id IN (SELECT id FROM reviews WHERE {DUE}"
            " AND (held_until IS NULL OR held_until < %s) ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED)"
            f" RETURNING {REVIEW_COLUMNS}", (holder, now + hold_seconds, now, limit))
        return sorted((to_review(r) for r in rows), key=lambda r: r.id)

    async def review_posted(self, review_id: int, copies: Sequence[tuple[str, str]]) -> None:
        async def work(conn: Conn) -> None:
            for chat, message in copies:
                await conn.execute("INSERT INTO review_copies(review_id, chat_key, message_id) VALUES (%s, %s, %s)"
                                   " ON CONFLICT (review_id, chat_key) DO UPDATE SET message_id = excluded.message_id",
                                   (review_id, chat, message))
            await conn.execute("UPDATE reviews SET posted = 1, holder = NULL, held_until = NULL,"
                               " settled = CASE WHEN kind IN ('decision', 'answer') THEN 1 ELSE 0 END WHERE id = %s",
                               (review_id,))

        await self.db.transaction(work)

    async def review_copied(self, review_id: int, target: str, sent: Sent) -> None:
        await self.db.execute("INSERT INTO review_copies(review_id, chat_key, message_id, target)"
                              " VALUES (%s, %s, %s, %s) ON CONFLICT (review_id, chat_key) DO UPDATE SET"
                              " message_id = excluded.message_id, target = excluded.target",
                              (review_id, sent.chat_key, sent.message_id, target))

    async def review_targets(self, review_id: int) -> set[str]:
        rows = await self.db.fetchall("SELECT target FROM review_copies WHERE review_id = %s", (review_id,))
        return {str(r[0]) for r in rows}

    async def review_settled(self, review_id: int) -> None:
        await self.db.execute("UPDATE reviews SET settled = 1, holder = NULL, held_until = NULL WHERE id = %s",
                              (review_id,))

    async def review_copies(self, review_id: int) -> list[tuple[str, str]]:
        rows = await self.db.fetchall("SELECT chat_key, message_id FROM review_copies WHERE review_id = %s"
                                      " ORDER BY chat_key", (review_id,))
        return [(str(r[0]), str(r[1])) for r in rows]

    async def open_appeals(self, chat_key: str, limit: int) -> list[Review]:
        rows = await self.db.fetchall(f"SELECT {REVIEW_COLUMNS} FROM reviews WHERE chat_key = %s"
                                      " AND kind = 'appeal' AND state = 'open' ORDER BY id LIMIT %s", (chat_key, limit))
        return [to_review(r) for r in rows]

    async def last_decision(self, user_key: str, chat_key: str | None) -> Review | None:
        where = "" if chat_key is None else " AND chat_key = %s"
        row = await self.db.fetchone(f"SELECT {REVIEW_COLUMNS} FROM reviews WHERE subject_key = %s"
                                     f" AND kind = 'decision'{where} ORDER BY id DESC LIMIT 1",
                                     (user_key,) if chat_key is None else (user_key, chat_key))
        return None if row is None else to_review(row)

    async def add_appeal(self, appeal: Review, log: ModlogEntry) -> int | None:
        async def work(conn: Conn) -> int | None:
            cur = await conn.execute("UPDATE reviews SET appealed = 1 WHERE id = %s AND appealed = 0",
                                     (appeal.parent_id,))
            if not cur.rowcount:
                return None
            await insert_modlog(conn, log)
            cur = await conn.execute(PG_INSERT, review_params(appeal))
            row = await cur.fetchone()
            return None if row is None else int(row[0])

        return await self.db.transaction(work)

    async def set_moderator(self, chat_key: str, user_key: str, on: bool) -> bool:
        if on:
            return bool(await self.db.execute("INSERT INTO moderators(chat_key, user_key) VALUES (%s, %s)"
                                              " ON CONFLICT DO NOTHING", (chat_key, user_key)))
        return bool(await self.db.execute("DELETE FROM moderators WHERE chat_key = %s AND user_key = %s",
                                          (chat_key, user_key)))

    async def moderators(self, chat_key: str) -> list[str]:
        rows = await self.db.fetchall("SELECT user_key FROM moderators WHERE chat_key = %s ORDER BY user_key",
                                      (chat_key,))
        return [str(r[0]) for r in rows]

    async def clear_moderators(self, chat_key: str) -> int:
        return await self.db.execute("DELETE FROM moderators WHERE chat_key = %s", (chat_key,))

    async def issue_code(self, code: str, purpose: str, chat_key: str, user_key: str, expires_at: float) -> None:
        async def work(conn: Conn) -> None:
            await conn.execute("DELETE FROM codes WHERE expires_at < %s", (expires_at - 86_400,))  # long expired
            await conn.execute("INSERT INTO codes(code, purpose, chat_key, user_key, expires_at)"
                               " VALUES (%s, %s, %s, %s, %s)", (code, purpose, chat_key, user_key, expires_at))

        await self.db.transaction(work)

    async def redeem_code(self, code: str, purpose: str, user_key: str, now: float) -> str | None:
        rows = await self.db.write("DELETE FROM codes WHERE code = %s AND purpose = %s AND user_key IN (%s, '*')"
                                   " AND expires_at >= %s RETURNING chat_key", (code, purpose, user_key, now))
        return str(rows[0][0]) if rows else None
