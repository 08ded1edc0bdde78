"""Followed feeds, the posts each chat has been shown, and the claim that makes one process poll each feed."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from bot.records import FeedFollow, ModlogEntry
from storage.comments import insert_modlog
from storage.connection import Database

FEED_COLUMNS = "chat_key, url, title, switch, added_by, added_at, next_poll, etag, modified, failures"


def to_follow(row: Sequence[Any]) -> FeedFollow:
    chat_key, url, title, switch, added_by, added_at, next_poll, etag, modified, failures = row
    return FeedFollow(str(chat_key), str(url), str(title), bool(switch), str(added_by), float(added_at),
                      float(next_poll), etag, modified, int(failures))


class FeedQueries:
    db: Database

    async def follow_feed(self, follow: FeedFollow, seen: Sequence[str], log: ModlogEntry) -> bool:
        def work(db: sqlite3.Connection) -> bool:
            cur = db.execute(
                f"INSERT OR IGNORE INTO feeds({FEED_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (follow.chat_key, follow.url, follow.title, int(follow.switch), follow.added_by, follow.added_at,
                 follow.next_poll, follow.etag, follow.modified, follow.failures))
            if not cur.rowcount:
                return False
            db.executemany("INSERT OR IGNORE INTO feed_entries(chat_key, url, entry, seen_at) VALUES (?, ?, ?, ?)",
                           [(follow.chat_key, follow.url, key, follow.added_at) for key in seen])
            insert_modlog(db, log)
            return True

        return await self.db.transaction(work)

    async def unfollow_feed(self, chat_key: str, url: str, log: ModlogEntry) -> bool:
        def work(db: sqlite3.Connection) -> bool:
            cur = db.execute("DELETE FROM feeds WHERE chat_key = ? AND url = ?", (chat_key, url))
            db.execute("DELETE FROM feed_entries WHERE chat_key = ? AND url = ?", (chat_key, url))
            if cur.rowcount:
                insert_modlog(db, log)
            return bool(cur.rowcount)

        return await self.db.transaction(work)

    async def chat_feeds(self, chat_key: str) -> list[FeedFollow]:
        rows = await self.db.fetchall(f"SELECT {FEED_COLUMNS} FROM feeds WHERE chat_key = ? ORDER BY added_at, url",
                                      (chat_key,))
        return [to_follow(r) for r in rows]

    async def claim_due_feeds(self, now: float, holder: str, hold_seconds: float, limit: int) -> list[FeedFollow]:
        def work(db: sqlite3.Connection) -> list[FeedFollow]:
            # one transaction holds the write lock: another process claims only what this one left
            rows = db.execute(
                f"SELECT {FEED_COLUMNS} FROM feeds WHERE next_poll <= ? AND (held_until IS NULL OR held_until < ?)"
                " ORDER BY next_poll LIMIT ?", (now, now, limit)).fetchall()
            db.executemany("UPDATE feeds SET holder = ?, held_until = ? WHERE chat_key = ? AND url = ?",
                           [(holder, now + hold_seconds, r[0], r[1]) for r in rows])
            return [to_follow(r) for r in rows]

        return await self.db.transaction(work)

    async def unseen_entries(self, chat_key: str, url: str, keys: Sequence[str]) -> list[str]:
        if not keys:
            return []
        marks = ",".join("?" for _ in keys)
        rows = await self.db.fetchall(
            f"SELECT entry FROM feed_entries WHERE chat_key = ? AND url = ? AND entry IN ({marks})",
            (chat_key, url, *keys))
        seen = {str(r[0]) for r in rows}
        return [key for key in keys if key not in seen]

    async def feed_polled(self, follow: FeedFollow, seen: Sequence[str], now: float) -> None:
        def work(db: sqlite3.Connection) -> None:
            db.execute("UPDATE feeds SET title = ?, next_poll = ?, etag = ?, modified = ?, failures = ?,"
                       " holder = NULL, held_until = NULL WHERE chat_key = ? AND url = ?",
                       (follow.title, follow.next_poll, follow.etag, follow.modified, follow.failures,
                        follow.chat_key, follow.url))
            db.executemany("INSERT OR IGNORE INTO feed_entries(chat_key, url, entry, seen_at) VALUES (?, ?, ?, ?)",
                           [(follow.chat_key, follow.url, key, now) for key in seen])

        await self.db.transaction(work)
