"""Comments, their counts and edit history; users, chats, positions and message anchors, on PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Sequence

from psycopg import errors

from bot.records import Comment, ModlogEntry, NewComment, Position, Status
from bot.types import Anchor, User
from storage.behind import WriteBehind
from storage.caches import ReadCaches
from storage.comments import (
    ACCOUNTS,
    ALL_SECTIONS,
    COMMENT_COLUMNS,
    COMMENT_FROM,
    LEFT_QUEUE,
    SECTION_STATE,
    to_comment,
)
from storage.postgres.database import Conn, PgDatabase, one

MODLOG_INSERT = ("INSERT INTO modlog(chat_key, at, actor_key, action, target, reason, before_text, after_text)"
                 " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)")
# when a comment last changed, on the database's clock (the moment of the statement, not of the transaction's start)
DB_NOW = "extract(epoch FROM clock_timestamp())::double precision"
COUNT_BUMP = ("INSERT INTO section_counts(chat_key, article_id, section_key, visible) VALUES (%s, %s, %s, %s)"
              " ON CONFLICT (chat_key, article_id, section_key) DO UPDATE"
              " SET visible = section_counts.visible + excluded.visible")
# A new comment in one statement, so in one round trip and one transaction (autocommit), queued for its
# subscribers in the same statement (/subscribe): the chat's row is
# locked by the upsert that takes the next number, so numbers are 1..N without gaps however many processes
# write; a message seen before returns its comment instead. Two deliveries of one message racing each other
# meet the unique index on (chat, source): the loser's whole statement, number included, is rolled back and
# it runs again, finding the winner's comment.
ADD_COMMENT_SQL = f"""
WITH seen AS (
    SELECT id FROM comments WHERE chat_key = %(chat)s AND source_id = %(source)s
), num AS (
    INSERT INTO chats AS ch (chat_key, next_number) SELECT %(chat)s, 2 WHERE NOT EXISTS (SELECT 1 FROM seen)
    ON CONFLICT (chat_key) DO UPDATE SET next_number = ch.next_number + 1
    RETURNING ch.next_number - 1 AS number
), made AS (
    INSERT INTO comments(chat_key, number, article_id, section_key, parent_number, author_key, text, status,
                         created_at, source_id, hold_reason, room_key, changed_at)
    SELECT %(chat)s, number, %(article)s, %(section)s, %(parent)s, %(author)s, %(text)s, %(status)s,
           %(created)s, %(source)s, %(hold)s, %(room)s, {DB_NOW} FROM num
    RETURNING id, number
), counted AS (
    INSERT INTO section_counts(chat_key, article_id, section_key, visible)
    SELECT %(chat)s, %(article)s, %(section)s, 1 FROM made WHERE %(visible)s
    ON CONFLICT (chat_key, article_id, section_key) DO UPDATE SET visible = section_counts.visible + 1
), queued AS (
    INSERT INTO outbox(user_key, comment_id, queued_at)
    SELECT DISTINCT s.user_key, made.id, %(created)s FROM made JOIN subscriptions s
        ON s.chat_key = %(chat)s AND s.section_key IN (%(section)s, %(all_sections)s) AND s.user_key <> %(author)s
    WHERE %(visible)s
    ON CONFLICT DO NOTHING
), logged AS (
    INSERT INTO modlog(chat_key, at, actor_key, action, target, reason, before_text, after_text)
    SELECT %(log_chat)s, %(log_at)s, %(log_actor)s, %(log_action)s, '#' || number, %(log_reason)s,
           %(log_before)s, %(log_after)s FROM made WHERE %(logged)s
)
SELECT id, number, (SELECT name FROM users WHERE user_key = %(author)s) FROM made
UNION ALL SELECT id, NULL, NULL FROM seen
"""
ADD_RETRIES = 3


def modlog_params(entry: ModlogEntry) -> tuple[object, ...]:
    return (entry.chat_key, entry.at, entry.actor_key, entry.action, entry.target, entry.reason, entry.before,
            entry.after)


async def insert_modlog(conn: Conn, entry: ModlogEntry | None) -> None:
    if entry is not None:
        await conn.execute(MODLOG_INSERT, modlog_params(entry))


async def fetch_comment(conn: Conn, comment_id: int, *, lock: bool = False) -> Comment:
    row = await one(conn, f"SELECT {COMMENT_COLUMNS} FROM {COMMENT_FROM} WHERE c.id = %s"
                          f"{' FOR UPDATE OF c' if lock else ''}", (comment_id,))
    if row is None:
        raise LookupError(f"comment id {comment_id} vanished")
    return to_comment(row)


async def change_status(conn: Conn, comment: Comment, status: Status, hold_reason: str | None = None,
                        log: ModlogEntry | None = None) -> Comment:
    """The only place a comment's status changes, so the cached counts always follow."""
    await conn.execute(f"UPDATE comments SET status = %s, hold_reason = %s, changed_at = {DB_NOW} WHERE id = %s",
                       (status.value, hold_reason, comment.id))
    was, now = comment.status is Status.VISIBLE, status is Status.VISIBLE
    if was != now:
        await conn.execute(COUNT_BUMP, (comment.chat_key, comment.article_id, comment.section_key, 1 if now else -1))
    if comment.status is Status.PENDING and status is not Status.PENDING:
        # a held comment that leaves the queue in its chat closes its review, in the same transaction
        await conn.execute("UPDATE reviews SET state = %s, decided_by = %s, decided_at = %s WHERE comment_id = %s"
                           " AND kind = 'held' AND state = 'open'",
                           (LEFT_QUEUE[status], log.actor_key if log else "system", log.at if log else None,
                            comment.id))
    return await fetch_comment(conn, comment.id)


class PgCommentQueries(ReadCaches):
    db: PgDatabase
    behind: WriteBehind

    # ---- users, chats, positions, anchors ---------------------------------------------------------

    async def remember_user(self, user: User, now: float) -> None:
        handle = user.handle.casefold().lstrip("@") if user.handle else None
        # most events come from people we already stored under the same name: no I/O at all for them
        if self.known_user(user.key, user.name, handle):
            return
        await self.db.execute(
            "INSERT INTO users(user_key, name, name_fold, seen_at, handle_fold) VALUES (%s, %s, %s, %s, %s)"
            " ON CONFLICT (user_key) DO UPDATE SET name = excluded.name, name_fold = excluded.name_fold,"
            " seen_at = excluded.seen_at, handle_fold = excluded.handle_fold"
            " WHERE users.name IS DISTINCT FROM excluded.name"
            " OR users.handle_fold IS DISTINCT FROM excluded.handle_fold",
            (user.key, user.name, user.name.casefold(), now, handle))
        self.remember_user_seen(user.key, user.name, handle)

    async def find_users(self, platform: str, name: str) -> list[User]:
        """Users of `platform` with this @handle, or failing that this display name (any case)."""
        folded = name.casefold().lstrip("@")
        for column in ("handle_fold", "name_fold"):
            rows = await self.db.fetchall(
                f"SELECT user_key, name FROM users WHERE {column} = %s AND starts_with(user_key, %s)"
                " ORDER BY user_key LIMIT 5", (folded, platform + ":"))
            if rows:
                return [User(r[0], r[1]) for r in rows]
        return []

    async def user_name(self, user_key: str) -> str | None:
        row = await self.db.fetchone("SELECT name FROM users WHERE user_key = %s", (user_key,))
        return None if row is None else str(row[0])

    async def chat_article(self, chat_key: str) -> int | None:
        row = await self.db.fetchone("SELECT article_id FROM chats WHERE chat_key = %s", (chat_key,))
        return None if row is None or row[0] is None else int(row[0])

    async def set_chat_article(self, chat_key: str, article_id: int) -> None:
        await self.db.execute("INSERT INTO chats(chat_key, article_id) VALUES (%s, %s)"
                              " ON CONFLICT (chat_key) DO UPDATE SET article_id = excluded.article_id",
                              (chat_key, article_id))
        self._chat_articles.pop(chat_key, None)
        await self.tell_others(None, "chat", [chat_key])

    async def set_position(self, chat_key: str, user_key: str, position: Position) -> None:
        self.remember_position(chat_key, user_key, position)
        self.behind.set_position(chat_key, user_key, position)  # committed with the next batch (see behind.py)

    async def save_anchor(self, chat_key: str, message_id: str, anchor: Anchor) -> None:
        self.behind.save_anchor(chat_key, message_id, anchor)  # committed with the next batch (see behind.py)

    async def anchor(self, chat_key: str, message_id: str) -> Anchor | None:
        pending = self.behind.anchors.get((chat_key, message_id))
        if pending is not None:
            return pending
        row = await self.db.fetchone("SELECT article_id, section_key, comment_number FROM anchors"
                                     " WHERE chat_key = %s AND message_id = %s", (chat_key, message_id))
        return None if row is None else Anchor(row[0], row[1], row[2])

    async def languages(self, chat_key: str, user_key: str) -> tuple[str | None, str | None]:
        hit = self.cached_languages(chat_key, user_key)
        if hit is not None:
            return hit
        row = await self.db.fetchone(
            "SELECT (SELECT settings FROM chats WHERE chat_key = %s), (SELECT language FROM users WHERE user_key = %s)",
            (chat_key, user_key))
        chat = json.loads(row[0]).get("language") if row is not None and row[0] else None
        person = row[1] if row is not None else None
        self.remember_languages(chat_key, user_key, chat, person)
        return chat, person

    async def set_user_language(self, user_key: str, language: str | None) -> None:
        await self.db.execute("UPDATE users SET language = %s WHERE user_key = %s", (language, user_key))
        self.forget_languages()
        await self.tell_others(None, "languages", [])

    async def is_quiet(self, user_key: str) -> bool:
        row = await self.db.fetchone("SELECT quiet FROM users WHERE user_key = %s", (user_key,))
        return bool(row is not None and row[0])

    async def set_quiet(self, user_key: str, quiet: bool) -> None:
        await self.db.execute("UPDATE users SET quiet = %s WHERE user_key = %s", (int(quiet), user_key))

    async def chat_settings(self, chat_key: str) -> dict[str, str]:
        row = await self.db.fetchone("SELECT settings FROM chats WHERE chat_key = %s", (chat_key,))
        return {} if row is None else dict(json.loads(row[0]))

    async def set_chat_setting(self, chat_key: str, name: str, value: str, log: ModlogEntry | None) -> None:
        async def work(conn: Conn) -> None:
            await conn.execute(
                "INSERT INTO chats AS ch (chat_key, settings)"
                " VALUES (%(chat)s, json_build_object(%(name)s::text, %(value)s::text))"
                " ON CONFLICT (chat_key) DO UPDATE"
                " SET settings = (ch.settings::jsonb || jsonb_build_object(%(name)s::text, %(value)s::text))::text",
                {"chat": chat_key, "name": name, "value": value})
            await insert_modlog(conn, log)
            await self.tell_others(conn, "languages", [])

        await self.db.transaction(work)
        self.forget_languages()

    # ---- comments ---------------------------------------------------------------------------------

    async def add_comment(self, new: NewComment, log: ModlogEntry | None = None) -> tuple[Comment, bool]:
        params = {
            "chat": new.chat_key, "source": new.source_id, "article": new.article_id, "section": new.section_key,
            "parent": new.parent_number, "author": new.author_key, "text": new.text, "status": new.status.value,
            "created": new.created_at, "hold": new.hold_reason, "room": new.room_key,
            "visible": new.status is Status.VISIBLE,
            "all_sections": ALL_SECTIONS,
            "logged": log is not None, "log_chat": log and log.chat_key, "log_at": log and log.at,
            "log_actor": log and log.actor_key, "log_action": log and log.action, "log_reason": log and log.reason,
            "log_before": log and log.before, "log_after": log and log.after,
        }
        for attempt in range(ADD_RETRIES):
            try:
                row = (await self.db.write(ADD_COMMENT_SQL, params))[0]
                break
            except errors.UniqueViolation:
                if attempt == ADD_RETRIES - 1:
                    raise
        assert row is not None
        self.forget_section_states(new.chat_key)
        comment_id, number, name = row
        if number is None:  # delivered before: the comment it made
            found = await self.db.fetchone(f"SELECT {COMMENT_COLUMNS} FROM {COMMENT_FROM} WHERE c.id = %s",
                                           (comment_id,))
            assert found is not None
            return to_comment(found), False
        return Comment(comment_id, new.chat_key, number, new.article_id, new.section_key, new.parent_number,
                       new.author_key, name if name is not None else new.author_key, new.text, new.status,
                       new.created_at, None, new.hold_reason, new.source_id, new.room_key), True

    async def comment(self, chat_key: str, number: int) -> Comment | None:
        row = await self.db.fetchone(
            f"SELECT {COMMENT_COLUMNS} FROM {COMMENT_FROM} WHERE c.chat_key = %s AND c.number = %s",
            (chat_key, number))
        return None if row is None else to_comment(row)

    async def comments(self, chat_key: str, article_id: int, section_key: str | None, statuses: Sequence[Status],
                       before: int | None, limit: int) -> list[Comment]:
        """Newest first, keyset-paged on the per-chat number (`before` is the last number seen)."""
        where = "c.chat_key = %s AND c.article_id = %s AND c.status = ANY(%s) AND c.number < %s"
        params: list[object] = [chat_key, article_id, [s.value for s in statuses], before or 2**62]
        if section_key is not None:
            where += " AND c.section_key = %s"
            params.append(section_key)
        rows = await self.db.fetchall(
            f"SELECT {COMMENT_COLUMNS} FROM {COMMENT_FROM} WHERE {where} ORDER BY c.number DESC LIMIT %s",
            (*params, limit))
        return [to_comment(r) for r in rows]

    async def comments_by(self, chat_key: str, author_key: str, before: int | None, limit: int) -> list[Comment]:
        rows = await self.db.fetchall(
            f"SELECT {COMMENT_COLUMNS} FROM {COMMENT_FROM} WHERE c.chat_key = %s AND c.author_key IN"
            f" {ACCOUNTS.format(me='%s')} AND c.number < %s ORDER BY c.number DESC LIMIT %s",
            (chat_key, author_key, author_key, before or 2**62, limit))
        return [to_comment(r) for r in rows]

    async def all_comments(self, chat_key: str, after: int, limit: int) -> list[Comment]:
        rows = await self.db.fetchall(
            f"SELECT {COMMENT_COLUMNS} FROM {COMMENT_FROM} WHERE c.chat_key = %s AND c.number > %s"
            " ORDER BY c.number LIMIT %s", (chat_key, after, limit))
        return [to_comment(r) for r in rows]

    async def section_state(self, chat_key: str, article_id: int, section_key: str) -> tuple[int, bool]:
        known = self.cached_section_state(chat_key, article_id, section_key)
        if known is not None:
            return known
        row = await self.db.fetchone(SECTION_STATE.replace("?", "%s"), (chat_key, article_id, section_key, chat_key,
                                                                        article_id, section_key))
        assert row is not None
        self.remember_section_state(chat_key, article_id, section_key, int(row[0]), bool(row[1]))
        return int(row[0]), bool(row[1])

    async def section_counts(self, chat_key: str, article_id: int) -> dict[str, int]:
        rows = await self.db.fetchall(
            "SELECT section_key, visible FROM section_counts WHERE chat_key = %s AND article_id = %s",
            (chat_key, article_id))
        return {r[0]: int(r[1]) for r in rows}

    async def edit_comment(self, comment_id: int, text: str, now: float, log: ModlogEntry | None) -> Comment:
        async def work(conn: Conn) -> Comment:
            before = await fetch_comment(conn, comment_id, lock=True)
            await conn.execute("INSERT INTO comment_edits(comment_id, edited_at, text_before, text_after)"
                               " VALUES (%s, %s, %s, %s)", (comment_id, now, before.text, text))
            await conn.execute(f"UPDATE comments SET text = %s, edited_at = %s, changed_at = {DB_NOW} WHERE id = %s",
                               (text, now, comment_id))
            await insert_modlog(conn, log)
            return await fetch_comment(conn, comment_id)

        return await self.db.transaction(work)

    async def set_status(self, comment_id: int, status: Status, log: ModlogEntry | None,
                         hold_reason: str | None = None) -> Comment:
        async def work(conn: Conn) -> Comment:
            current = await fetch_comment(conn, comment_id, lock=True)
            await insert_modlog(conn, log)
            return await change_status(conn, current, status, hold_reason, log)

        changed = await self.db.transaction(work)
        self.forget_section_states(changed.chat_key)
        return changed

    async def set_status_by_author(self, chat_key: str, author_key: str, status: Status, log: ModlogEntry) -> int:
        async def work(conn: Conn) -> int:
            cur = await conn.execute(
                f"SELECT {COMMENT_COLUMNS} FROM {COMMENT_FROM} WHERE c.chat_key = %s AND c.author_key = %s"
                " AND c.status IN ('visible', 'pending') ORDER BY c.number FOR UPDATE OF c", (chat_key, author_key))
            rows = [to_comment(r) for r in await cur.fetchall()]
            for comment in rows:
                await change_status(conn, comment, status, log=log)
            await insert_modlog(conn, ModlogEntry(log.chat_key, log.at, log.actor_key, log.action, log.target,
                                                  log.reason, f"{len(rows)} comments", None))
            return len(rows)

        count = await self.db.transaction(work)
        self.forget_section_states(chat_key)
        return count

    async def edits(self, comment_id: int) -> list[tuple[float, str, str]]:
        rows = await self.db.fetchall("SELECT edited_at, text_before, text_after FROM comment_edits"
                                      " WHERE comment_id = %s ORDER BY edited_at", (comment_id,))
        return [(r[0], r[1], r[2]) for r in rows]
