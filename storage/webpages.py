"""Web pages on SQLite: each room's token, and the comments of a discussion that changed since a moment."""

from __future__ import annotations

import sqlite3

from bot.records import Comment, ModlogEntry, WebPage
from storage.comments import COMMENT_COLUMNS, COMMENT_FROM, insert_modlog, to_comment
from storage.connection import Database

CHANGES = (f"SELECT {COMMENT_COLUMNS}, c.changed_at FROM {COMMENT_FROM} WHERE c.chat_key = ? AND c.changed_at > ?"
           " ORDER BY c.changed_at, c.id LIMIT ?")


def to_page(row: sqlite3.Row | None) -> WebPage | None:
    return WebPage(str(row[0]), str(row[1]), bool(row[2])) if row is not None else None


class WebPageQueries:
    db: Database

    async def web_page(self, room_key: str) -> WebPage | None:
        return to_page(await self.db.fetchone("SELECT room_key, token, embed FROM web_pages WHERE room_key = ?",
                                              (room_key,)))

    async def web_page_by_token(self, token: str) -> WebPage | None:
        return to_page(await self.db.fetchone("SELECT room_key, token, embed FROM web_pages WHERE token = ?",
                                              (token,)))

    async def open_web_page(self, room_key: str, token: str, now: float, log: ModlogEntry) -> WebPage:
        def work(db: sqlite3.Connection) -> WebPage:
            if db.execute("INSERT INTO web_pages(room_key, token, created_at) VALUES (?, ?, ?)"
                          " ON CONFLICT(room_key) DO NOTHING", (room_key, token, now)).rowcount:
                insert_modlog(db, log)
            page = to_page(db.execute("SELECT room_key, token, embed FROM web_pages WHERE room_key = ?",
                                      (room_key,)).fetchone())
            assert page is not None
            return page

        return await self.db.transaction(work)

    async def close_web_page(self, room_key: str, log: ModlogEntry) -> bool:
        def work(db: sqlite3.Connection) -> bool:
            if not db.execute("DELETE FROM web_pages WHERE room_key = ?", (room_key,)).rowcount:
                return False
            insert_modlog(db, log)
            return True

        return await self.db.transaction(work)

    async def set_web_embed(self, room_key: str, embed: bool, log: ModlogEntry) -> bool:
        def work(db: sqlite3.Connection) -> bool:
            if not db.execute("UPDATE web_pages SET embed = ? WHERE room_key = ?", (int(embed), room_key)).rowcount:
                return False
            insert_modlog(db, log)
            return True

        return await self.db.transaction(work)

    async def comment_changes(self, chat_key: str, since: float, limit: int) -> list[tuple[Comment, float]]:
        rows = await self.db.fetchall(CHANGES, (chat_key, since, limit))
        return [(to_comment(r), float(r[-1])) for r in rows]

    async def latest_change(self, chat_key: str) -> float:
        row = await self.db.fetchone("SELECT max(changed_at) FROM comments WHERE chat_key = ?", (chat_key,))
        return float(row[0]) if row is not None and row[0] is not None else 0.0
