"""Likes of comments: one per person, counted without the people banned in the chat now."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from bot.records import Comment
from storage.comments import COMMENT_COLUMNS, COMMENT_FROM, EXTRA, to_comment
from storage.connection import Database

# a voter who is banned here now does not count (a ban that ran out no longer hides their likes)
# likes count once per person: the accounts of one person (/me link) are one voter
VOTERS = ("count(DISTINCT coalesce((SELECT p.person_key FROM people p WHERE p.user_key = v.voter_key),"
          " v.voter_key))")
NOT_BANNED = ("NOT EXISTS (SELECT 1 FROM bans b WHERE b.chat_key = {chat} AND b.user_key = v.voter_key"
              " AND (b.until IS NULL OR b.until > {now}))")


class VoteQueries:
    db: Database

    async def set_vote(self, comment_id: int, voter_key: str, up: bool, now: float) -> bool:
        def work(db: sqlite3.Connection) -> bool:
            if up:
                cur = db.execute("INSERT OR IGNORE INTO votes(comment_id, voter_key, at) VALUES (?, ?, ?)",
                                 (comment_id, voter_key, now))
            else:
                cur = db.execute("DELETE FROM votes WHERE comment_id = ? AND voter_key = ?", (comment_id, voter_key))
            return bool(cur.rowcount)

        return await self.db.transaction(work)

    async def vote_counts(self, chat_key: str, comment_ids: Sequence[int], now: float) -> dict[int, int]:
        if not comment_ids:
            return {}
        marks = ",".join("?" for _ in comment_ids)
        rows = await self.db.fetchall(
            f"SELECT v.comment_id, {VOTERS} FROM votes v WHERE v.comment_id IN ({marks}) AND "
            + NOT_BANNED.format(chat="?", now="?") + " GROUP BY v.comment_id",
            (*comment_ids, chat_key, now))
        return {int(r[0]): int(r[1]) for r in rows}

    async def top_comments(self, chat_key: str, article_id: int, now: float, limit: int) -> list[tuple[Comment, int]]:
        rows = await self.db.fetchall(
            f"SELECT {COMMENT_COLUMNS}, {VOTERS} AS n FROM {COMMENT_FROM} JOIN votes v ON v.comment_id = c.id"
            " WHERE c.chat_key = ? AND c.article_id = ? AND c.status = 'visible' AND "
            + NOT_BANNED.format(chat="c.chat_key", now="?")
            + " GROUP BY c.id ORDER BY n DESC, c.number DESC LIMIT ?", (chat_key, article_id, now, limit))
        return [(to_comment(r), int(r[EXTRA])) for r in rows]

    async def recent_section_counts(self, chat_key: str, article_id: int, since: float) -> dict[str, int]:
        rows = await self.db.fetchall(
            "SELECT section_key, count(*) FROM comments WHERE chat_key = ? AND article_id = ? AND created_at >= ?"
            " AND status = 'visible' GROUP BY section_key", (chat_key, article_id, since))
        return {str(r[0]): int(r[1]) for r in rows}
