"""/subscribe: subscriptions, the queue of comments waiting to be sent privately, and who cannot be reached."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from bot.records import Comment
from storage.comments import COMMENT_COLUMNS, to_comment
from storage.connection import Database


def grouped(rows: Sequence[Sequence[Any]]) -> list[tuple[str, list[Comment]]]:
    """Rows of (user key, COMMENT_COLUMNS...) as each user's comments, in order."""
    found: dict[str, list[Comment]] = {}
    for row in rows:
        found.setdefault(str(row[0]), []).append(to_comment(row[1:]))
    return list(found.items())


class SubscriptionQueries:
    db: Database

    async def subscribe(self, chat_key: str, user_key: str, section_key: str) -> bool:
        def work(db: sqlite3.Connection) -> bool:
            db.execute("UPDATE users SET unreachable = 0 WHERE user_key = ?", (user_key,))  # worth a new try
            return bool(db.execute("INSERT OR IGNORE INTO subscriptions(chat_key, user_key, section_key)"
                                   " VALUES (?, ?, ?)", (chat_key, user_key, section_key)).rowcount)

        return await self.db.transaction(work)

    async def unsubscribe(self, chat_key: str, user_key: str, section_key: str | None) -> int:
        def work(db: sqlite3.Connection) -> int:
            if section_key is None:
                return db.execute("DELETE FROM subscriptions WHERE chat_key = ? AND user_key = ?",
                                  (chat_key, user_key)).rowcount
            return db.execute("DELETE FROM subscriptions WHERE chat_key = ? AND user_key = ? AND section_key = ?",
                              (chat_key, user_key, section_key)).rowcount

        return await self.db.transaction(work)

    async def subscriptions(self, chat_key: str, user_key: str) -> list[str]:
        rows = await self.db.fetchall("SELECT section_key FROM subscriptions WHERE chat_key = ? AND user_key = ?"
                                      " ORDER BY section_key", (chat_key, user_key))
        return [str(r[0]) for r in rows]

    async def due_digests(self, now: float, gap: float, limit: int) -> list[tuple[str, list[Comment]]]:
        def work(db: sqlite3.Connection) -> list[tuple[str, list[Comment]]]:
            users = [r[0] for r in db.execute(
                "SELECT DISTINCT o.user_key FROM outbox o LEFT JOIN users u ON u.user_key = o.user_key"
                " WHERE u.written_at IS NULL OR u.written_at <= ? LIMIT ?", (now - gap, limit))]
            if not users:
                return []
            marks = ",".join("?" for _ in users)
            rows = db.execute(
                f"SELECT o.user_key, {COMMENT_COLUMNS} FROM outbox o JOIN comments c ON c.id = o.comment_id"
                " LEFT JOIN users u ON u.user_key = c.author_key"
                f" WHERE o.user_key IN ({marks}) AND c.status = 'visible' ORDER BY o.user_key, c.id",
                users).fetchall()
            db.execute(f"DELETE FROM outbox WHERE user_key IN ({marks})", users)
            # taken now, in the same transaction: of several processes, one sends each digest
            db.execute(f"UPDATE users SET written_at = ? WHERE user_key IN ({marks})", (now, *users))
            return grouped(rows)

        return await self.db.transaction(work)

    async def digest_again(self, user_key: str, comment_ids: Sequence[int], now: float) -> None:
        def work(db: sqlite3.Connection) -> None:
            db.executemany("INSERT OR IGNORE INTO outbox(user_key, comment_id, queued_at) VALUES (?, ?, ?)",
                           [(user_key, comment_id, now) for comment_id in comment_ids])

        await self.db.transaction(work)

    async def digest_sent(self, user_key: str, now: float, reached: bool) -> bool:
        def work(db: sqlite3.Connection) -> bool:
            if reached:
                db.execute("UPDATE users SET unreachable = 0 WHERE user_key = ?", (user_key,))
                return False
            return bool(db.execute("UPDATE users SET unreachable = 1 WHERE user_key = ? AND unreachable = 0",
                                   (user_key,)).rowcount)

        return await self.db.transaction(work)
