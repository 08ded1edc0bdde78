"""Bans, locks, word filters, reports and the modlog, on PostgreSQL."""

from __future__ import annotations

import json

from bot.records import Ban, Comment, CommentGate, FilterMode, ModlogEntry, Report, Status, WordFilter
from storage.comments import COMMENT_COLUMNS, EXTRA, to_comment
from storage.postgres.comments import MODLOG_INSERT, change_status, fetch_comment, insert_modlog, modlog_params
from storage.postgres.database import Conn, PgDatabase, one

GATE_SQL = (
    # one statement instead of five: each round trip costs more than its lookup
    # a ban of any account of the person (/me link) holds for all of them: the one that lasts longest
    "SELECT (SELECT json_build_array(until, reason, by_key, user_key) FROM bans"
    "  WHERE chat_key = %(chat)s AND user_key IN (SELECT %(user)s UNION SELECT user_key FROM people"
    "   WHERE person_key = (SELECT person_key FROM people WHERE user_key = %(user)s))"
    "  ORDER BY until IS NULL DESC, until DESC LIMIT 1),"
    " (SELECT settings FROM chats WHERE chat_key = %(chat)s),"
    " (SELECT coalesce(json_agg(section_key), '[]') FROM locks WHERE chat_key = %(chat)s AND article_id = %(article)s),"
    " (SELECT coalesce(json_agg(json_build_array(word, mode) ORDER BY word_fold), '[]') FROM filters"
    "  WHERE chat_key = %(chat)s),"
    " (SELECT created_at FROM comments WHERE chat_key = %(chat)s AND author_key = %(user)s"
    "  ORDER BY number DESC LIMIT 1)"
)


class PgModerationQueries:
    db: PgDatabase

    async def ban(self, ban: Ban, log: ModlogEntry) -> None:
        async def work(conn: Conn) -> None:
            await conn.execute(
                "INSERT INTO bans(chat_key, user_key, until, reason, by_key) VALUES (%s, %s, %s, %s, %s)"
                " ON CONFLICT (chat_key, user_key) DO UPDATE SET until = excluded.until, reason = excluded.reason,"
                " by_key = excluded.by_key", (ban.chat_key, ban.user_key, ban.until, ban.reason, ban.by_key))
            await insert_modlog(conn, log)

        await self.db.transaction(work)

    async def _delete_logged(self, sql: str, params: tuple[object, ...], log: ModlogEntry) -> bool:
        """Runs a DELETE (or an insert that may do nothing) and writes `log` only when it changed a row."""
        async def work(conn: Conn) -> bool:
            cur = await conn.execute(sql, params)
            if cur.rowcount:
                await conn.execute(MODLOG_INSERT, modlog_params(log))
            return bool(cur.rowcount)

        return await self.db.transaction(work)

    async def unban(self, chat_key: str, user_key: str, log: ModlogEntry) -> bool:
        return await self._delete_logged("DELETE FROM bans WHERE chat_key = %s AND user_key = %s",
                                         (chat_key, user_key), log)

    async def active_ban(self, chat_key: str, user_key: str, now: float) -> Ban | None:
        row = await self.db.fetchone("SELECT until, reason, by_key FROM bans WHERE chat_key = %s AND user_key = %s",
                                     (chat_key, user_key))
        if row is None:
            return None
        until, reason, by_key = row
        if until is not None and until <= now:
            # the ban ran out: lift it and say so in the modlog, once (of several processes, one deletes it)
            await self._delete_logged(
                "DELETE FROM bans WHERE chat_key = %s AND user_key = %s AND until IS NOT NULL AND until <= %s",
                (chat_key, user_key, now), ModlogEntry(chat_key, now, "system", "ban expired", user_key))
            return None
        return Ban(chat_key, user_key, until, reason, by_key)

    async def comment_gate(self, chat_key: str, user_key: str, article_id: int, now: float) -> CommentGate:
        row = await self.db.fetchone(GATE_SQL, {"chat": chat_key, "user": user_key, "article": article_id})
        assert row is not None
        ban_row, settings, locks, filters, last = row
        ban = None if ban_row is None else Ban(chat_key, ban_row[3], ban_row[0], ban_row[1], ban_row[2])
        expired = ban is not None and ban.until is not None and ban.until <= now
        if expired and ban is not None:
            await self.active_ban(chat_key, ban.user_key, now)  # lifts it and writes the modlog row
        return CommentGate(None if expired else ban, dict(json.loads(settings)) if settings else {},
                           frozenset(locks), tuple(WordFilter(w, FilterMode(m)) for w, m in filters),
                           None if last is None else float(last))

    async def set_lock(self, chat_key: str, article_id: int, section_key: str, locked: bool,
                       log: ModlogEntry) -> bool:
        sql = ("INSERT INTO locks(chat_key, article_id, section_key) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING"
               if locked else "DELETE FROM locks WHERE chat_key = %s AND article_id = %s AND section_key = %s")
        changed = await self._delete_logged(sql, (chat_key, article_id, section_key), log)
        self.forget_section_states(chat_key)  # type: ignore[attr-defined]
        return changed

    async def locks(self, chat_key: str, article_id: int) -> set[str]:
        rows = await self.db.fetchall("SELECT section_key FROM locks WHERE chat_key = %s AND article_id = %s",
                                      (chat_key, article_id))
        return {r[0] for r in rows}

    async def add_filter(self, chat_key: str, word: WordFilter, log: ModlogEntry) -> None:
        async def work(conn: Conn) -> None:
            await conn.execute(
                "INSERT INTO filters(chat_key, word_fold, word, mode) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT (chat_key, word_fold) DO UPDATE SET word = excluded.word, mode = excluded.mode",
                (chat_key, word.word.casefold(), word.word, word.mode.value))
            await insert_modlog(conn, log)

        await self.db.transaction(work)

    async def remove_filter(self, chat_key: str, word: str, log: ModlogEntry) -> bool:
        return await self._delete_logged("DELETE FROM filters WHERE chat_key = %s AND word_fold = %s",
                                         (chat_key, word.casefold()), log)

    async def filters(self, chat_key: str) -> list[WordFilter]:
        rows = await self.db.fetchall("SELECT word, mode FROM filters WHERE chat_key = %s ORDER BY word_fold",
                                      (chat_key,))
        return [WordFilter(r[0], FilterMode(r[1])) for r in rows]

    async def add_report(self, report: Report, threshold: int, log_if_hidden: ModlogEntry) -> tuple[bool, int]:
        """Returns (new report?, open reports now). Hides the comment when the count reaches `threshold`."""

        async def work(conn: Conn) -> tuple[bool, int]:
            comment = await fetch_comment(conn, report.comment_id, lock=True)  # reports of one comment queue here
            cur = await conn.execute(
                "INSERT INTO reports(comment_id, reporter_key, reason, at) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT DO NOTHING", (report.comment_id, report.reporter_key, report.reason, report.at))
            added = bool(cur.rowcount)
            row = await one(conn, "SELECT count(*) FROM reports WHERE comment_id = %s AND open = 1",
                            (report.comment_id,))
            count = int(row[0]) if row else 0
            if added and count >= threshold and comment.status is Status.VISIBLE:
                await change_status(conn, comment, Status.PENDING, hold_reason=f"reported {count} times")
                await insert_modlog(conn, log_if_hidden)
            return added, count

        reported = await self.db.transaction(work)
        self.forget_section_states(log_if_hidden.chat_key)  # type: ignore[attr-defined]
        return reported

    async def open_reports(self, chat_key: str, limit: int) -> list[tuple[Comment, int]]:
        rows = await self.db.fetchall(
            f"SELECT {COMMENT_COLUMNS}, r.n FROM (SELECT comment_id, count(*) AS n FROM reports"
            " WHERE open = 1 GROUP BY comment_id) r JOIN comments c ON c.id = r.comment_id"
            " LEFT JOIN users u ON u.user_key = c.author_key"
            " WHERE c.chat_key = %s ORDER BY c.number LIMIT %s", (chat_key, limit))
        return [(to_comment(r), int(r[EXTRA])) for r in rows]

    async def resolve_reports(self, comment_id: int) -> None:
        await self.db.execute("UPDATE reports SET open = 0 WHERE comment_id = %s AND open = 1", (comment_id,))

    async def modlog(self, chat_key: str, limit: int) -> list[ModlogEntry]:
        rows = await self.db.fetchall(
            "SELECT chat_key, at, actor_key, action, target, reason, before_text, after_text, id FROM modlog"
            " WHERE chat_key = %s ORDER BY id DESC LIMIT %s", (chat_key, limit))
        return [ModlogEntry(*r) for r in rows]

    async def add_modlog(self, entry: ModlogEntry) -> None:
        await self.db.execute(MODLOG_INSERT, modlog_params(entry))
