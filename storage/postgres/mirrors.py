"""Mirrors on PostgreSQL (see storage/mirrors.py)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.records import Mirror, MirrorCopy, ModlogEntry
from storage.mirrors import COPY_COLUMNS
from storage.postgres.comments import insert_modlog
from storage.postgres.database import Conn, PgDatabase

START = "SELECT %s, coalesce(max(number), 0), coalesce(max(changed_at), 0) FROM comments WHERE chat_key = %s"


class PgMirrorQueries:
    db: PgDatabase

    async def set_mirror(self, room_key: str, discussion_key: str, on: bool, log: ModlogEntry) -> bool:
        async def work(conn: Conn) -> bool:
            if on:
                cur = await conn.execute(f"INSERT INTO mirrors(room_key, after_number, cursor) {START}"
                                         " ON CONFLICT (room_key) DO NOTHING", (room_key, discussion_key))
            else:
                cur = await conn.execute("DELETE FROM mirrors WHERE room_key = %s", (room_key,))
                await conn.execute("DELETE FROM mirror_copies WHERE room_key = %s", (room_key,))
            if cur.rowcount:
                await insert_modlog(conn, log)
            return bool(cur.rowcount)

        return await self.db.transaction(work)

    async def mirror_on(self, room_key: str) -> bool:
        return await self.db.fetchone("SELECT 1 FROM mirrors WHERE room_key = %s", (room_key,)) is not None

    async def mirrors_due(self, now: float, holder: str, hold_seconds: float, limit: int) -> list[Mirror]:
        # SKIP LOCKED: processes claiming at once each take different rooms
        rows = await self.db.write(
            "UPDATE mirrors SET holder = %s, held_until = %s WHERE room_key IN (SELECT room_key FROM mirrors"
            " WHERE held_until IS NULL OR held_until < %s ORDER BY last_sent LIMIT %s FOR UPDATE SKIP LOCKED)"
            " RETURNING room_key, after_number, cursor, last_sent", (holder, now + hold_seconds, now, limit))
        return [Mirror(str(r[0]), int(r[1]), float(r[2]), float(r[3])) for r in rows]

    async def mirror_copies(self, room_key: str, comment_ids: Sequence[int]) -> dict[int, MirrorCopy]:
        if not comment_ids:
            return {}
        rows = await self.db.fetchall(f"SELECT {COPY_COLUMNS} FROM mirror_copies WHERE room_key = %s"
                                      " AND comment_id = ANY(%s)", (room_key, list(comment_ids)))
        return {int(r[0]): MirrorCopy(int(r[0]), int(r[1]), str(r[2]), float(r[3])) for r in rows}

    async def message_copies(self, room_key: str, message_id: str) -> list[MirrorCopy]:
        rows = await self.db.fetchall(f"SELECT {COPY_COLUMNS} FROM mirror_copies WHERE room_key = %s"
                                      " AND message_id = %s ORDER BY number", (room_key, message_id))
        return [MirrorCopy(int(r[0]), int(r[1]), str(r[2]), float(r[3])) for r in rows]

    async def mirror_done(self, room_key: str, holder: str, cursor: float, sent_at: float | None,
                          copies: Sequence[MirrorCopy]) -> None:
        async def work(conn: Conn) -> None:
            await conn.execute("UPDATE mirrors SET cursor = %s, last_sent = coalesce(%s, last_sent), holder = NULL,"
                               " held_until = NULL WHERE room_key = %s AND holder = %s",
                               (cursor, sent_at, room_key, holder))
            if copies:
                async with conn.cursor() as cur:
                    await cur.executemany(
                        "INSERT INTO mirror_copies(room_key, comment_id, number, message_id, shown_at)"
                        " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (room_key, comment_id) DO UPDATE SET"
                        " message_id = excluded.message_id, shown_at = excluded.shown_at",
                        [(room_key, c.comment_id, c.number, c.message_id, c.shown_at) for c in copies])

        await self.db.transaction(work)
