"""Linked rooms on SQLite: which discussion a room reads and writes (its own unless it joined another), the rooms
of a discussion, and leaving one with a copy of it."""

from __future__ import annotations

import sqlite3

from bot.records import ModlogEntry
from storage.comments import insert_modlog
from storage.connection import Database

# a leaving room keeps the discussion so far: its comments, their counts, and the article it was reading
COPY_COMMENTS = ("INSERT INTO comments(chat_key, number, article_id, section_key, parent_number, author_key, text,"
                 " status, created_at, edited_at, hold_reason, source_id, room_key, changed_at)"
                 " SELECT {room}, number, article_id, section_key, parent_number, author_key, text, status, created_at,"
                 " edited_at, hold_reason, NULL, room_key, changed_at FROM comments WHERE chat_key = {discussion}")
COPY_COUNTS = ("INSERT INTO section_counts(chat_key, article_id, section_key, visible) SELECT {room}, article_id,"
               " section_key, visible FROM section_counts WHERE chat_key = {discussion}")


class RoomQueries:
    db: Database
    _discussions: dict[str, tuple[float, str]]

    async def discussion_of(self, room_key: str) -> str:
        known = self.cached_discussion(room_key)  # type: ignore[attr-defined]
        if known is not None:
            return str(known)
        row = await self.db.fetchone("SELECT discussion_key FROM room_links WHERE room_key = ?", (room_key,))
        found = str(row[0]) if row is not None else room_key
        self.remember_discussion(room_key, found)  # type: ignore[attr-defined]
        return found

    async def link_room(self, room_key: str, discussion_key: str, title: str | None, now: float,
                        log: ModlogEntry) -> bool:
        def work(db: sqlite3.Connection) -> bool:
            if db.execute("SELECT 1 FROM comments WHERE chat_key = ? LIMIT 1", (room_key,)).fetchone():
                return False
            db.execute("INSERT INTO room_links(room_key, discussion_key, title, linked_at) VALUES (?, ?, ?, ?)"
                       " ON CONFLICT(room_key) DO UPDATE SET discussion_key = excluded.discussion_key,"
                       " title = excluded.title, linked_at = excluded.linked_at",
                       (room_key, discussion_key, title, now))
            insert_modlog(db, log)
            return True

        linked = await self.db.transaction(work)
        self._discussions.pop(room_key, None)
        return linked

    async def unlink_room(self, room_key: str, log: ModlogEntry) -> bool:
        def work(db: sqlite3.Connection) -> bool:
            row = db.execute("SELECT discussion_key FROM room_links WHERE room_key = ?", (room_key,)).fetchone()
            if row is None:
                return False
            params = {"room": room_key, "discussion": row[0]}
            db.execute(COPY_COMMENTS.format(room=":room", discussion=":discussion"), params)
            db.execute(COPY_COUNTS.format(room=":room", discussion=":discussion"), params)
            db.execute("INSERT INTO chats(chat_key, article_id, next_number, settings) SELECT :room, article_id,"
                       " next_number, settings FROM chats WHERE chat_key = :discussion ON CONFLICT(chat_key) DO UPDATE"
                       " SET article_id = excluded.article_id, next_number = excluded.next_number,"
                       " settings = excluded.settings", params)
            db.execute("DELETE FROM room_links WHERE room_key = ?", (room_key,))
            insert_modlog(db, log)
            return True

        left = await self.db.transaction(work)
        self._discussions.pop(room_key, None)
        self.forget_section_states(room_key)  # type: ignore[attr-defined]
        return left

    async def linked_rooms(self, discussion_key: str) -> list[tuple[str, str | None]]:
        rows = await self.db.fetchall("SELECT room_key, title FROM room_links WHERE discussion_key = ?"
                                      " ORDER BY linked_at", (discussion_key,))
        return [(str(r[0]), r[1]) for r in rows]
