"""The mod queue on SQLite: reviews to send and to settle, where their copies went, who gets private copies,
and one-time codes."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from bot.records import ModlogEntry, Review, ReviewKind
from bot.types import Sent
from storage.comments import insert_modlog
from storage.connection import Database

REVIEW_COLUMNS = ("id, chat_key, kind, subject_key, created_at, comment_id, number, action, reason, body, parent_id,"
                  " chat_title, state, decided_by, posted, appealed, announce")
INSERT = ("INSERT INTO reviews(chat_key, kind, subject_key, created_at, comment_id, number, action, reason, body,"
          " parent_id, chat_title) VALUES ({marks}) ON CONFLICT DO NOTHING")
DUE = ("(posted = 0 OR state <> 'open') AND settled = 0")


def to_review(row: Sequence[Any]) -> Review:
    return Review(int(row[0]), row[1], ReviewKind(row[2]), row[3], float(row[4]), row[5], row[6], row[7], row[8],
                  row[9], row[10], row[11], row[12], row[13], bool(row[14]), bool(row[15]), bool(row[16]))


def review_params(r: Review) -> tuple[object, ...]:
    return (r.chat_key, r.kind.value, r.subject_key, r.created_at, r.comment_id, r.number, r.action, r.reason,
            r.body, r.parent_id, r.chat_title)


class ReviewQueries:
    db: Database

    async def open_review(self, review: Review) -> int | None:
        def work(db: sqlite3.Connection) -> int | None:
            cur = db.execute(INSERT.format(marks=", ".join("?" * 11)), review_params(review))
            return cur.lastrowid if cur.rowcount else None

        return await self.db.transaction(work)

    async def review(self, review_id: int) -> Review | None:
        row = await self.db.fetchone(f"SELECT {REVIEW_COLUMNS} FROM reviews WHERE id = ?", (review_id,))
        return None if row is None else to_review(row)

    async def decide_review(self, review_id: int, state: str, actor_key: str, now: float, announce: bool) -> bool:
        def work(db: sqlite3.Connection) -> bool:
            return bool(db.execute(
                "UPDATE reviews SET state = ?, decided_by = ?, decided_at = ?, announce = ? WHERE id = ?"
                " AND state = 'open'", (state, actor_key, now, int(announce), review_id)).rowcount)

        return await self.db.transaction(work)

    async def reviews_due(self, now: float, holder: str, hold_seconds: float, limit: int) -> list[Review]:
        def work(db: sqlite3.Connection) -> list[Review]:
            rows = db.execute(
                f"UPDATE reviews SET holder = ?, held_until = ? WHERE id IN (SELECT id FROM reviews WHERE {DUE}"
                f" AND (held_until IS NULL OR held_until < ?) ORDER BY id LIMIT ?) RETURNING {REVIEW_COLUMNS}",
                (holder, now + hold_seconds, now, limit)).fetchall()
            return sorted((to_review(r) for r in rows), key=lambda r: r.id)

        return await self.db.transaction(work)

    async def review_posted(self, review_id: int, copies: Sequence[tuple[str, str]]) -> None:
        def work(db: sqlite3.Connection) -> None:
            db.executemany("INSERT OR REPLACE INTO review_copies(review_id, chat_key, message_id) VALUES (?, ?, ?)",
                           [(review_id, chat, message) for chat, message in copies])
            # what is told to a person has nothing to settle later
            db.execute("UPDATE reviews SET posted = 1, holder = NULL, held_until = NULL,"
                       " settled = CASE WHEN kind IN ('decision', 'answer') THEN 1 ELSE 0 END WHERE id = ?",
                       (review_id,))

        await self.db.transaction(work)

    async def review_copied(self, review_id: int, target: str, sent: Sent) -> None:
        def work(db: sqlite3.Connection) -> None:
            db.execute("INSERT OR REPLACE INTO review_copies(review_id, chat_key, message_id, target)"
                       " VALUES (?, ?, ?, ?)", (review_id, sent.chat_key, sent.message_id, target))

        await self.db.transaction(work)

    async def review_targets(self, review_id: int) -> set[str]:
        rows = await self.db.fetchall("SELECT target FROM review_copies WHERE review_id = ?", (review_id,))
        return {str(r[0]) for r in rows}

    async def review_settled(self, review_id: int) -> None:
        def work(db: sqlite3.Connection) -> None:
            db.execute("UPDATE reviews SET settled = 1, holder = NULL, held_until = NULL WHERE id = ?", (review_id,))

        await self.db.transaction(work)

    async def review_copies(self, review_id: int) -> list[tuple[str, str]]:
        rows = await self.db.fetchall("SELECT chat_key, message_id FROM review_copies WHERE review_id = ?"
                                      " ORDER BY chat_key", (review_id,))
        return [(str(r[0]), str(r[1])) for r in rows]

    async def open_appeals(self, chat_key: str, limit: int) -> list[Review]:
        rows = await self.db.fetchall(f"SELECT {REVIEW_COLUMNS} FROM reviews WHERE chat_key = ? AND kind = 'appeal'"
                                      " AND state = 'open' ORDER BY id LIMIT ?", (chat_key, limit))
        return [to_review(r) for r in rows]

    async def last_decision(self, user_key: str, chat_key: str | None) -> Review | None:
        where = "" if chat_key is None else " AND chat_key = ?"
        row = await self.db.fetchone(f"SELECT {REVIEW_COLUMNS} FROM reviews WHERE subject_key = ?"
                                     f" AND kind = 'decision'{where} ORDER BY id DESC LIMIT 1",
                                     (user_key,) if chat_key is None else (user_key, chat_key))
        return None if row is None else to_review(row)

    async def add_appeal(self, appeal: Review, log: ModlogEntry) -> int | None:
        def work(db: sqlite3.Connection) -> int | None:
            if not db.execute("UPDATE reviews SET appealed = 1 WHERE id = ? AND appealed = 0",
                              (appeal.parent_id,)).rowcount:
                return None
            insert_modlog(db, log)
            return db.execute(INSERT.format(marks=", ".join("?" * 11)), review_params(appeal)).lastrowid

        return await self.db.transaction(work)

    async def set_moderator(self, chat_key: str, user_key: str, on: bool) -> bool:
        def work(db: sqlite3.Connection) -> bool:
            if on:
                return bool(db.execute("INSERT OR IGNORE INTO moderators(chat_key, user_key) VALUES (?, ?)",
                                       (chat_key, user_key)).rowcount)
            return bool(db.execute("DELETE FROM moderators WHERE chat_key = ? AND user_key = ?",
                                   (chat_key, user_key)).rowcount)

        return await self.db.transaction(work)

    async def moderators(self, chat_key: str) -> list[str]:
        rows = await self.db.fetchall("SELECT user_key FROM moderators WHERE chat_key = ? ORDER BY user_key",
                                      (chat_key,))
        return [str(r[0]) for r in rows]

    async def clear_moderators(self, chat_key: str) -> int:
        def work(db: sqlite3.Connection) -> int:
            return db.execute("DELETE FROM moderators WHERE chat_key = ?", (chat_key,)).rowcount

        return await self.db.transaction(work)

    async def issue_code(self, code: str, purpose: str, chat_key: str, user_key: str, expires_at: float) -> None:
        def work(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM codes WHERE expires_at < ?", (expires_at - 86_400,))  # long expired
            db.execute("INSERT INTO codes(code, purpose, chat_key, user_key, expires_at) VALUES (?, ?, ?, ?, ?)",
                       (code, purpose, chat_key, user_key, expires_at))

        await self.db.transaction(work)

    async def redeem_code(self, code: str, purpose: str, user_key: str, now: float) -> str | None:
        def work(db: sqlite3.Connection) -> str | None:
            row = db.execute("DELETE FROM codes WHERE code = ? AND purpose = ? AND user_key IN (?, '*')"
                             " AND expires_at >= ? RETURNING chat_key", (code, purpose, user_key, now)).fetchone()
            return None if row is None else str(row[0])

        return await self.db.transaction(work)
