"""Linked rooms on PostgreSQL (see storage/rooms.py)."""

from __future__ import annotations

from bot.records import ModlogEntry
from storage.postgres.comments import insert_modlog
from storage.postgres.database import Conn, PgDatabase
from storage.rooms import COPY_COMMENTS, COPY_COUNTS


class PgRoomQueries:
    db: PgDatabase
    _discussions: dict[str, tuple[float, str]]

    async def discussion_of(self, room_key: str) -> str:
        known = self.cached_discussion(room_key)  # type: ignore[attr-defined]
        if known is not None:
            return str(known)
        row = await self.db.fetchone("SELECT discussion_key FROM room_links WHERE room_key = %s", (room_key,))
        found = str(row[0]) if row is not None else room_key
        self.remember_discussion(room_key, found)  # type: ignore[attr-defined]
        return found

    async def link_room(self, room_key: str, discussion_key: str, title: str | None, now: float,
                        log: ModlogEntry) -> bool:
        async def work(conn: Conn) -> bool:
            cur = await conn.execute("SELECT 1 FROM comments WHERE chat_key = %s LIMIT 1", (room_key,))
            if await cur.fetchone() is not None:
                return False
            await conn.execute("INSERT INTO room_links(room_key, discussion_key, title, linked_at)"
                               " VALUES (%s, %s, %s, %s) ON CONFLICT (room_key) DO UPDATE SET"
                               " discussion_key = excluded.discussion_key, title = excluded.title,"
                               " linked_at = excluded.linked_at", (room_key, discussion_key, title, now))
            await insert_modlog(conn, log)
            await self.tell_others(conn, "rooms", [room_key])  # type: ignore[attr-defined]
            return True

        linked = await self.db.transaction(work)
        self._discussions.pop(room_key, None)
        return linked

    async def unlink_room(self, room_key: str, log: ModlogEntry) -> bool:
        async def work(conn: Conn) -> bool:
            cur = await conn.execute("SELECT discussion_key FROM room_links WHERE room_key = %s FOR UPDATE",
                                     (room_key,))
            row = await cur.fetchone()
            if row is None:
                return False
            params = {"room": room_key, "discussion": row[0]}
            await conn.execute(COPY_COMMENTS.format(room="%(room)s", discussion="%(discussion)s"), params)
            await conn.execute(COPY_COUNTS.format(room="%(room)s", discussion="%(discussion)s"), params)
            await conn.execute("INSERT INTO chats(chat_key, article_id, next_number, settings) SELECT %(room)s,"
                               " article_id, next_number, settings FROM chats WHERE chat_key = %(discussion)s"
                               " ON CONFLICT (chat_key) DO UPDATE SET article_id = excluded.article_id,"
                               " next_number = excluded.next_number, settings = excluded.settings", params)
            await conn.execute("DELETE FROM room_links WHERE room_key = %s", (room_key,))
            await insert_modlog(conn, log)
            await self.tell_others(conn, "rooms", [room_key])  # type: ignore[attr-defined]
            return True

        left = await self.db.transaction(work)
        self._discussions.pop(room_key, None)
        self.forget_section_states(room_key)  # type: ignore[attr-defined]
        return left

    async def linked_rooms(self, discussion_key: str) -> list[tuple[str, str | None]]:
        rows = await self.db.fetchall("SELECT room_key, title FROM room_links WHERE discussion_key = %s"
                                      " ORDER BY linked_at", (discussion_key,))
        return [(str(r[0]), r[1]) for r in rows]
