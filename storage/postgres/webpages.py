"""Web pages on PostgreSQL (see storage/webpages.py)."""

from __future__ import annotations

from typing import Any

from bot.records import Comment, ModlogEntry, WebPage
from storage.comments import COMMENT_COLUMNS, COMMENT_FROM, to_comment
from storage.postgres.comments import insert_modlog
from storage.postgres.database import Conn, PgDatabase, one

CHANGES = (f"SELECT {COMMENT_COLUMNS}, c.changed_at FROM {COMMENT_FROM} WHERE c.chat_key = %s AND c.changed_at > %s"
           " ORDER BY c.changed_at, c.id LIMIT %s")


def to_page(row: tuple[Any, ...] | None) -> WebPage | None:
    return WebPage(str(row[0]), str(row[1]), bool(row[2])) if row is not None else None


class PgWebPageQueries:
    db: PgDatabase

    async def web_page(self, room_key: str) -> WebPage | None:
        return to_page(await self.db.fetchone("SELECT room_key, token, embed FROM web_pages WHERE room_key = %s",
                                              (room_key,)))

    async def web_page_by_token(self, token: str) -> WebPage | None:
        return to_page(await self.db.fetchone("SELECT room_key, token, embed FROM web_pages WHERE token = %s",
                                              (token,)))

    async def open_web_page(self, room_key: str, token: str, now: float, log: ModlogEntry) -> WebPage:
        async def work(conn: Conn) -> WebPage:
            cur = await conn.execute("INSERT INTO web_pages(room_key, token, created_at) VALUES (%s, %s, %s)"
                                     " ON CONFLICT (room_key) DO NOTHING", (room_key, token, now))
            if cur.rowcount:
                await insert_modlog(conn, log)
            page = to_page(await one(conn, "SELECT room_key, token, embed FROM web_pages WHERE room_key = %s",
                                     (room_key,)))
            assert page is not None
            return page

        return await self.db.transaction(work)

    async def close_web_page(self, room_key: str, log: ModlogEntry) -> bool:
        async def work(conn: Conn) -> bool:
            cur = await conn.execute("DELETE FROM web_pages WHERE room_key = %s", (room_key,))
            if not cur.rowcount:
                return False
            await insert_modlog(conn, log)
            return True

        return await self.db.transaction(work)

    async def set_web_embed(self, room_key: str, embed: bool, log: ModlogEntry) -> bool:
        async def work(conn: Conn) -> bool:
            cur = await conn.execute("UPDATE web_pages SET embed = %s WHERE room_key = %s", (int(embed), room_key))
            if not cur.rowcount:
                return False
            await insert_modlog(conn, log)
            return True

        return await self.db.transaction(work)

    async def comment_changes(self, chat_key: str, since: float, limit: int) -> list[tuple[Comment, float]]:
        rows = await self.db.fetchall(CHANGES, (chat_key, since, limit))
        return [(to_comment(r), float(r[-1])) for r in rows]

    async def latest_change(self, chat_key: str) -> float:
        row = await self.db.fetchone("SELECT max(changed_at) FROM comments WHERE chat_key = %s", (chat_key,))
        return float(row[0]) if row is not None and row[0] is not None else 0.0
