"""Mirrors on SQLite: which rooms post the other rooms' new comments, how far each has got, and its copies."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from bot.records import Mirror, MirrorCopy, ModlogEntry
from storage.comments import insert_modlog
from storage.connection import Database

COPY_COLUMNS = "comment_id, number, message_id, shown_at"
# a mirror starts after the discussion's last comment, and its last change
START = "SELECT ?, coalesce(max(number), 0), coalesce(max(changed_at), 0) FROM comments WHERE chat_key = ?"


class MirrorQueries:
    db: Database

    async def set_mirror(self, room_key: str, discussion_key: str, on: bool, log: ModlogEntry) -> bool:
        def work(db: sqlite3.Connection) -> bool:
            if on:
                changed = db.execute(f"INSERT INTO mirrors(room_key, after_number, cursor) {START}"
                                     " ON CONFLICT(room_key) DO NOTHING", (room_key, discussion_key)).rowcount
            else:
                changed = db.execute("DELETE FROM mirrors WHERE room_key = ?", (room_key,)).rowcount
                db.execute("DELETE FROM mirror_copies WHERE room_key = ?", (room_key,))
            if changed:
                insert_modlog(db, log)
            return bool(changed)

        return await self.db.transaction(work)

    async def mirror_on(self, room_key: str) -> bool:
        return await self.db.fetchone("SELECT 1 FROM mirrors WHERE room_key = ?", (room_key,)) is not None

    async def mirrors_due(self, now: float, holder: str, hold_seconds: float, limit: int) -> list[Mirror]:
        def work(db: sqlite3.Connection) -> list[Mirror]:
            rows = db.execute("SELECT room_key, after_number, cursor, last_sent FROM mirrors"
                              " WHERE held_until IS NULL OR held_until < ? ORDER BY last_sent LIMIT ?",
                              (now, limit)).fetchall()
            db.executemany("UPDATE mirrors SET holder = ?, held_until = ? WHERE room_key = ?",
                           [(holder, now + hold_seconds, r[0]) for r in rows])
            return [Mirror(str(r[0]), int(r[1]), float(r[2]), float(r[3])) for r in rows]

        return await self.db.transaction(work)

    async def mirror_copies(self, room_key: str, comment_ids: Sequence[int]) -> dict[int, MirrorCopy]:
        if not comment_ids:
            return {}
        marks = ",".join("?" for _ in comment_ids)
        rows = await self.db.fetchall(f"SELECT {COPY_COLUMNS} FROM mirror_copies WHERE room_key = ?"
                                      f" AND comment_id IN ({marks})", (room_key, *comment_ids))
        return {int(r[0]): MirrorCopy(int(r[0]), int(r[1]), str(r[2]), float(r[3])) for r in rows}

    async def message_copies(self, room_key: str, message_id: str) -> list[MirrorCopy]:
        rows = await self.db.fetchall(f"SELECT {COPY_COLUMNS} FROM mirror_copies WHERE room_key = ?"
                                      " AND message_id = ? ORDER BY number", (room_key, message_id))
        return [MirrorCopy(int(r[0]), int(r[1]), str(r[2]), float(r[3])) for r in rows]

    async def mirror_done(self, room_key: str, holder: str, cursor: float, sent_at: float | None,
                          copies: Sequence[MirrorCopy]) -> None:
        def work(db: sqlite3.Connection) -> None:
            db.execute("UPDATE mirrors SET cursor = ?, last_sent = coalesce(?, last_sent), holder = NULL,"
                       " held_until = NULL WHERE room_key = ? AND holder = ?", (cursor, sent_at, room_key, holder))
            db.executemany("INSERT INTO mirror_copies(room_key, comment_id, number, message_id, shown_at)"
                           " VALUES (?, ?, ?, ?, ?) ON CONFLICT(room_key, comment_id) DO UPDATE SET"
                           " message_id = excluded.message_id, shown_at = excluded.shown_at",
                           [(room_key, c.comment_id, c.number, c.message_id, c.shown_at) for c in copies])

        await self.db.transaction(work)
