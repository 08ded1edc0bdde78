"""Likes of comments on PostgreSQL: one per person, counted without the people banned in the chat now."""

from __future__ import annotations

from collections.abc import Sequence

from bot.records import Comment
from storage.comments import COMMENT_COLUMNS, COMMENT_FROM, EXTRA, to_comment
from storage.postgres.database import PgDatabase
from storage.votes import NOT_BANNED, VOTERS


class PgVoteQueries:
    db: PgDatabase

    async def set_vote(self, comment_id: int, voter_key: str, up: bool, now: float) -> bool:
        if up:
            changed = await self.db.execute(
                "INSERT INTO votes(comment_id, voter_key, at) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                (comment_id, voter_key, now))
        else:
            changed = await self.db.execute("DELETE FROM votes WHERE comment_id = %s AND voter_key = %s",
                                            (comment_id, voter_key))
        return bool(changed)

    async def vote_counts(self, chat_key: str, comment_ids: Sequence[int], now: float) -> dict[int, int]:
        if not comment_ids:
            return {}
        rows = await self.db.fetchall(
            f"SELECT v.comment_id, {VOTERS} FROM votes v WHERE v.comment_id = ANY(%s) AND "
            + NOT_BANNED.format(chat="%s", now="%s") + " GROUP BY v.comment_id",
            (list(comment_ids), chat_key, now))
        return {int(r[0]): int(r[1]) for r in rows}

    async def top_comments(self, chat_key: str, article_id: int, now: float, limit: int) -> list[tuple[Comment, int]]:
        rows = await self.db.fetchall(
            f"SELECT {COMMENT_COLUMNS}, {VOTERS} AS n FROM {COMMENT_FROM} JOIN votes v ON v.comment_id = c.id"
            " WHERE c.chat_key = %s AND c.article_id = %s AND c.status = 'visible' AND "
            + NOT_BANNED.format(chat="c.chat_key", now="%s")
            + " GROUP BY c.id, u.name ORDER BY n DESC, c.number DESC LIMIT %s", (chat_key, article_id, now, limit))
        return [(to_comment(r), int(r[EXTRA])) for r in rows]

    async def recent_section_counts(self, chat_key: str, article_id: int, since: float) -> dict[str, int]:
        rows = await self.db.fetchall(
            "SELECT section_key, count(*) FROM comments WHERE chat_key = %s AND article_id = %s"
            " AND created_at >= %s AND status = 'visible' GROUP BY section_key", (chat_key, article_id, since))
        return {str(r[0]): int(r[1]) for r in rows}
