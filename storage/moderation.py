"""Bans, locks, word filters, reports and the modlog."""

from __future__ import annotations

import json
import sqlite3

from bot.records import Ban, Comment, CommentGate, FilterMode, ModlogEntry, Report, Status, WordFilter
from storage.comments import COMMENT_COLUMNS, change_status, fetch_comment, insert_modlog, to_comment
from storage.connection import Database

GATE_SQL = (
    # a ban of any account of the person (/me link) holds for all of them: the one that lasts longest
    "SELECT (SELECT json_array(until, reason, by_key, user_key) FROM bans WHERE chat_key = :chat AND user_key IN"
    "  (SELECT :user UNION SELECT user_key FROM people WHERE person_key ="
    "   (SELECT person_key FROM people WHERE user_key = :user))"
    "  ORDER BY until IS NULL DESC, until DESC LIMIT 1),"
    " (SELECT settings FROM chats WHERE chat_key = :chat),"
    " (SELECT json_group_array(section_key) FROM locks WHERE chat_key = :chat AND article_id = :article),"
    " (SELECT json_group_array(json_array(word, mode)) FROM"
    "  (SELECT word, mode FROM filters WHERE chat_key = :chat ORDER BY word_fold)),"
    " (SELECT created_at FROM comments WHERE chat_key = :chat AND author_key = :user ORDER BY number DESC LIMIT 1)"
)


class ModerationQueries:
    db: Database

    async def ban(self, ban: Ban, log: ModlogEntry) -> None:
        def work(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT OR REPLACE INTO bans(chat_key, user_key, until, reason, by_key) VALUES (?, ?, ?, ?, ?)",
                (ban.chat_key, ban.user_key, ban.until, ban.reason, ban.by_key),
            )
            insert_modlog(db, log)

        await self.db.transaction(work)

    async def unban(self, chat_key: str, user_key: str, log: ModlogEntry) -> bool:
        def work(db: sqlite3.Connection) -> bool:
            cur = db.execute("DELETE FROM bans WHERE chat_key = ? AND user_key = ?", (chat_key, user_key))
            if cur.rowcount:
                insert_modlog(db, log)
            return bool(cur.rowcount)

        return await self.db.transaction(work)

    async def active_ban(self, chat_key: str, user_key: str, now: float) -> Ban | None:
        row = await self.db.fetchone(
            "SELECT until, reason, by_key FROM bans WHERE chat_key = ? AND user_key = ?", (chat_key, user_key)
        )
        if row is None:
            return None
        if row["until"] is not None and row["until"] <= now:
            # the ban ran out: lift it and say so in the modlog, once
            def work(db: sqlite3.Connection) -> None:
                cur = db.execute(
                    "DELETE FROM bans WHERE chat_key = ? AND user_key = ? AND until IS NOT NULL AND until <= ?",
                    (chat_key, user_key, now),
                )
                if cur.rowcount:
                    insert_modlog(db, ModlogEntry(chat_key, now, "system", "ban expired", user_key))

            await self.db.transaction(work)
            return None
        return Ban(chat_key, user_key, row["until"], row["reason"], row["by_key"])

    async def comment_gate(self, chat_key: str, user_key: str, article_id: int, now: float) -> CommentGate:
        def work(db: sqlite3.Connection) -> tuple[CommentGate, str | None]:
            # one statement instead of five: each query from Python costs more than its lookup
            ban_row, settings, locks, filters, last = db.execute(GATE_SQL, {
                "chat": chat_key, "user": user_key, "article": article_id}).fetchone()
            ban = None
            if ban_row is not None:
                until, reason, by_key, banned = json.loads(ban_row)
                ban = Ban(chat_key, banned, until, reason, by_key)
            expired = ban is not None and ban.until is not None and ban.until <= now
            gate = CommentGate(None if expired else ban, dict(json.loads(settings)) if settings else {},
                               frozenset(json.loads(locks)),
                               tuple(WordFilter(w, FilterMode(m)) for w, m in json.loads(filters)),
                               None if last is None else float(last))
            return gate, ban.user_key if expired and ban is not None else None

        gate, expired = await self.db.read(work, snapshot=False)
        if expired is not None:
            await self.active_ban(chat_key, expired, now)  # lifts it and writes the modlog row
        return gate

    async def set_lock(
        self, chat_key: str, article_id: int, section_key: str, locked: bool, log: ModlogEntry
    ) -> bool:
        def work(db: sqlite3.Connection) -> bool:
            if locked:
                cur = db.execute(
                    "INSERT OR IGNORE INTO locks(chat_key, article_id, section_key) VALUES (?, ?, ?)",
                    (chat_key, article_id, section_key),
                )
            else:
                cur = db.execute(
                    "DELETE FROM locks WHERE chat_key = ? AND article_id = ? AND section_key = ?",
                    (chat_key, article_id, section_key),
                )
            if cur.rowcount:
                insert_modlog(db, log)
            return bool(cur.rowcount)

        changed = await self.db.transaction(work)
        self.forget_section_states(chat_key)  # type: ignore[attr-defined]
        return changed

    async def locks(self, chat_key: str, article_id: int) -> set[str]:
        rows = await self.db.fetchall(
            "SELECT section_key FROM locks WHERE chat_key = ? AND article_id = ?", (chat_key, article_id)
        )
        return {r["section_key"] for r in rows}

    async def add_filter(self, chat_key: str, word: WordFilter, log: ModlogEntry) -> None:
        def work(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT OR REPLACE INTO filters(chat_key, word_fold, word, mode) VALUES (?, ?, ?, ?)",
                (chat_key, word.word.casefold(), word.word, word.mode.value),
            )
            insert_modlog(db, log)

        await self.db.transaction(work)

    async def remove_filter(self, chat_key: str, word: str, log: ModlogEntry) -> bool:
        def work(db: sqlite3.Connection) -> bool:
            cur = db.execute(
                "DELETE FROM filters WHERE chat_key = ? AND word_fold = ?", (chat_key, word.casefold())
            )
            if cur.rowcount:
                insert_modlog(db, log)
            return bool(cur.rowcount)

        return await self.db.transaction(work)

    async def filters(self, chat_key: str) -> list[WordFilter]:
        rows = await self.db.fetchall("SELECT word, mode FROM filters WHERE chat_key = ? ORDER BY word_fold",
                                      (chat_key,))
        return [WordFilter(r["word"], FilterMode(r["mode"])) for r in rows]

    async def add_report(self, report: Report, threshold: int, log_if_hidden: ModlogEntry) -> tuple[bool, int]:
        """Returns (new report?, open reports now). Hides the comment when the count reaches `threshold`."""

        def work(db: sqlite3.Connection) -> tuple[bool, int]:
            cur = db.execute(
                "INSERT OR IGNORE INTO reports(comment_id, reporter_key, reason, at) VALUES (?, ?, ?, ?)",
                (report.comment_id, report.reporter_key, report.reason, report.at),
            )
            added = bool(cur.rowcount)
            row = db.execute(
                "SELECT count(*) FROM reports WHERE comment_id = ? AND open = 1", (report.comment_id,)
            ).fetchone()
            count = int(row[0]) if row else 0
            comment = fetch_comment(db, report.comment_id)
            if added and count >= threshold and comment.status is Status.VISIBLE:
                change_status(db, comment, Status.PENDING, hold_reason=f"reported {count} times")
                insert_modlog(db, log_if_hidden)
            return added, count

        reported = await self.db.transaction(work)
        self.forget_section_states(log_if_hidden.chat_key)  # type: ignore[attr-defined]
        return reported

    async def open_reports(self, chat_key: str, limit: int) -> list[tuple[Comment, int]]:
        rows = await self.db.fetchall(
            f"SELECT {COMMENT_COLUMNS}, r.n FROM (SELECT comment_id, count(*) AS n FROM reports"
            " WHERE open = 1 GROUP BY comment_id) r JOIN comments c ON c.id = r.comment_id"
            " LEFT JOIN users u ON u.user_key = c.author_key"
            " WHERE c.chat_key = ? ORDER BY c.number LIMIT ?",
            (chat_key, limit),
        )
        return [(to_comment(r), int(r["n"])) for r in rows]

    async def resolve_reports(self, comment_id: int) -> None:
        def work(db: sqlite3.Connection) -> None:
            db.execute("UPDATE reports SET open = 0 WHERE comment_id = ?", (comment_id,))

        await self.db.transaction(work)

    async def modlog(self, chat_key: str, limit: int) -> list[ModlogEntry]:
        rows = await self.db.fetchall(
            "SELECT * FROM modlog WHERE chat_key = ? ORDER BY id DESC LIMIT ?", (chat_key, limit)
        )
        return [
            ModlogEntry(r["chat_key"], r["at"], r["actor_key"], r["action"], r["target"], r["reason"],
                        r["before_text"], r["after_text"], r["id"])
            for r in rows
        ]

    async def add_modlog(self, entry: ModlogEntry) -> None:
        def work(db: sqlite3.Connection) -> None:
            insert_modlog(db, entry)

        await self.db.transaction(work)

