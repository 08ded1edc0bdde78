"""Comments, their counts and edit history; users, positions and message anchors."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from bot.records import Comment, ModlogEntry, NewComment, Position, Status
from bot.types import Anchor, User
from storage.behind import WriteBehind
from storage.caches import ReadCaches
from storage.connection import Database

COMMENT_COLUMNS = (
    "c.id, c.chat_key, c.number, c.article_id, c.section_key, c.parent_number, c.author_key,"
    " coalesce(u.name, c.author_key) AS author_name, c.text, c.status, c.created_at, c.edited_at,"
    " c.hold_reason, c.source_id, c.room_key"
)
EXTRA = 15  # the first column a query adds after COMMENT_COLUMNS
# a comment shows its author's name; for an account linked to others (/me link), the person's first account's
COMMENT_FROM = ("comments c LEFT JOIN people p ON p.user_key = c.author_key"
                " LEFT JOIN users u ON u.user_key = coalesce(p.person_key, c.author_key)")
# an author's accounts: the one given, and every account of its person (/me link)
ACCOUNTS = ("(SELECT {me} UNION SELECT user_key FROM people WHERE person_key ="
            " (SELECT person_key FROM people WHERE user_key = {me}))")
# when a comment last changed, on the database's clock, so every process of a fleet agrees on the order
DB_NOW = "((julianday('now') - 2440587.5) * 86400.0)"


# one statement, two primary-key lookups: what /section shows besides the text (each query from Python costs
# more than its lookup)
SECTION_STATE = ("SELECT coalesce((SELECT visible FROM section_counts WHERE chat_key = ? AND article_id = ?"
                 " AND section_key = ?), 0), EXISTS (SELECT 1 FROM locks WHERE chat_key = ? AND article_id = ?"
                 " AND section_key IN (?, ''))")
ALL_SECTIONS = "*"  # a subscription to every section of a chat (bot/commands/subscriptions.py writes it)


def to_comment(row: Sequence[Any]) -> Comment:
    """A comment from a row of COMMENT_COLUMNS, by position: an sqlite3.Row and a psycopg tuple alike."""
    return Comment(
        id=row[0],
        chat_key=row[1],
        number=row[2],
        article_id=row[3],
        section_key=row[4],
        parent_number=row[5],
        author_key=row[6],
        author_name=row[7],
        text=row[8],
        status=Status(row[9]),
        created_at=row[10],
        edited_at=row[11],
        hold_reason=row[12],
        source_id=row[13],
        room_key=row[14],
    )


def insert_modlog(db: sqlite3.Connection, entry: ModlogEntry | None) -> None:
    if entry is None:
        return
    db.execute(
        "INSERT INTO modlog(chat_key, at, actor_key, action, target, reason, before_text, after_text)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (entry.chat_key, entry.at, entry.actor_key, entry.action, entry.target, entry.reason,
         entry.before, entry.after),
    )


def fetch_comment(db: sqlite3.Connection, comment_id: int) -> Comment:
    row = db.execute(f"SELECT {COMMENT_COLUMNS} FROM {COMMENT_FROM} WHERE c.id = ?", (comment_id,)).fetchone()
    if row is None:
        raise LookupError(f"comment id {comment_id} vanished")
    return to_comment(row)


def bump_count(db: sqlite3.Connection, c: Comment, delta: int) -> None:
    db.execute(
        "INSERT INTO section_counts(chat_key, article_id, section_key, visible) VALUES (?, ?, ?, ?)"
        " ON CONFLICT DO UPDATE SET visible = visible + excluded.visible",
        (c.chat_key, c.article_id, c.section_key, delta),
    )


def queue_for_subscribers(db: sqlite3.Connection, comment: Comment) -> None:
    """A visible new comment waits for everyone subscribed to its section or its whole chat, except its author
    (/subscribe), queued in the comment's own transaction: no second write per comment."""
    db.execute("INSERT OR IGNORE INTO outbox(user_key, comment_id, queued_at) SELECT DISTINCT user_key, ?, ?"
               " FROM subscriptions WHERE chat_key = ? AND section_key IN (?, ?) AND user_key != ?",
               (comment.id, comment.created_at, comment.chat_key, comment.section_key, ALL_SECTIONS,
                comment.author_key))


# what a held comment's review says when the comment leaves the queue without its buttons
LEFT_QUEUE = {Status.VISIBLE: "approved", Status.REJECTED: "rejected", Status.REMOVED: "removed",
              Status.DELETED: "deleted"}


def close_held(db: sqlite3.Connection, comment_id: int, status: Status, log: ModlogEntry | None) -> None:
    """A held comment that leaves the queue in its chat closes its review, in the same transaction."""
    db.execute("UPDATE reviews SET state = ?, decided_by = ?, decided_at = ? WHERE comment_id = ? AND kind = 'held'"
               " AND state = 'open'", (LEFT_QUEUE[status], log.actor_key if log else "system",
                                       log.at if log else None, comment_id))


def change_status(
    db: sqlite3.Connection, comment: Comment, status: Status, hold_reason: str | None = None,
    log: ModlogEntry | None = None,
) -> Comment:
    """The only place a comment's status changes, so the cached counts always follow."""
    db.execute(
        f"UPDATE comments SET status = ?, hold_reason = ?, changed_at = {DB_NOW} WHERE id = ?",
        (status.value, hold_reason, comment.id)
    )
    was, now = comment.status is Status.VISIBLE, status is Status.VISIBLE
    if was != now:
        bump_count(db, comment, 1 if now else -1)
    if comment.status is Status.PENDING and status is not Status.PENDING:
        close_held(db, comment.id, status, log)
    return fetch_comment(db, comment.id)


class CommentQueries(ReadCaches):
    db: Database
    behind: WriteBehind

    # ---- users, positions, anchors ----------------------------------------------------------------

    async def remember_user(self, user: User, now: float) -> None:
        handle = user.handle.casefold().lstrip("@") if user.handle else None

        def work(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT INTO users(user_key, name, name_fold, seen_at, handle_fold) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT(user_key) DO UPDATE SET name = excluded.name, name_fold = excluded.name_fold,"
                " seen_at = excluded.seen_at, handle_fold = excluded.handle_fold",
                (user.key, user.name, user.name.casefold(), now, handle),
            )

        # most events come from people we already stored under the same name: no I/O at all for them
        if self.known_user(user.key, user.name, handle):
            return
        known = await self.db.fetchone("SELECT name, handle_fold FROM users WHERE user_key = ?", (user.key,))
        if known is None or known["name"] != user.name or known["handle_fold"] != handle:
            await self.db.transaction(work)
        self.remember_user_seen(user.key, user.name, handle)

    async def find_users(self, platform: str, name: str) -> list[User]:
        """Users of `platform` with this @handle, or failing that this display name (any case)."""
        folded = name.casefold().lstrip("@")
        for column in ("handle_fold", "name_fold"):
            rows = await self.db.fetchall(
                f"SELECT user_key, name FROM users WHERE {column} = ? AND user_key LIKE ? ORDER BY user_key LIMIT 5",
                (folded, platform + ":%"),
            )
            if rows:
                return [User(r["user_key"], r["name"]) for r in rows]
        return []

    async def user_name(self, user_key: str) -> str | None:
        row = await self.db.fetchone("SELECT name FROM users WHERE user_key = ?", (user_key,))
        return None if row is None else str(row["name"])

    async def chat_article(self, chat_key: str) -> int | None:
        row = await self.db.fetchone("SELECT article_id FROM chats WHERE chat_key = ?", (chat_key,))
        return None if row is None or row["article_id"] is None else int(row["article_id"])

    async def set_chat_article(self, chat_key: str, article_id: int) -> None:
        def work(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT INTO chats(chat_key, article_id) VALUES (?, ?)"
                " ON CONFLICT(chat_key) DO UPDATE SET article_id = excluded.article_id",
                (chat_key, article_id),
            )

        await self.db.transaction(work)
        self._chat_articles.pop(chat_key, None)

    async def set_position(self, chat_key: str, user_key: str, position: Position) -> None:
        self.remember_position(chat_key, user_key, position)
        self.behind.set_position(chat_key, user_key, position)  # committed with the next batch (see behind.py)

    async def save_anchor(self, chat_key: str, message_id: str, anchor: Anchor) -> None:
        self.behind.save_anchor(chat_key, message_id, anchor)  # committed with the next batch (see behind.py)

    async def anchor(self, chat_key: str, message_id: str) -> Anchor | None:
        pending = self.behind.anchors.get((chat_key, message_id))
        if pending is not None:
            return pending
        row = await self.db.fetchone(
            "SELECT article_id, section_key, comment_number FROM anchors WHERE chat_key = ? AND message_id = ?",
            (chat_key, message_id),
        )
        return None if row is None else Anchor(row["article_id"], row["section_key"], row["comment_number"])

    async def languages(self, chat_key: str, user_key: str) -> tuple[str | None, str | None]:
        hit = self.cached_languages(chat_key, user_key)
        if hit is not None:
            return hit
        row = await self.db.fetchone(
            "SELECT (SELECT settings FROM chats WHERE chat_key = ?), (SELECT language FROM users WHERE user_key = ?)",
            (chat_key, user_key))
        chat = json.loads(row[0]).get("language") if row is not None and row[0] else None
        person = row[1] if row is not None else None
        self.remember_languages(chat_key, user_key, chat, person)
        return chat, person

    async def set_user_language(self, user_key: str, language: str | None) -> None:
        def work(db: sqlite3.Connection) -> None:
            db.execute("UPDATE users SET language = ? WHERE user_key = ?", (language, user_key))

        await self.db.transaction(work)
        self.forget_languages()

    async def is_quiet(self, user_key: str) -> bool:
        row = await self.db.fetchone("SELECT quiet FROM users WHERE user_key = ?", (user_key,))
        return bool(row is not None and row[0])

    async def set_quiet(self, user_key: str, quiet: bool) -> None:
        def work(db: sqlite3.Connection) -> None:
            db.execute("UPDATE users SET quiet = ? WHERE user_key = ?", (int(quiet), user_key))

        await self.db.transaction(work)

    async def chat_settings(self, chat_key: str) -> dict[str, str]:
        row = await self.db.fetchone("SELECT settings FROM chats WHERE chat_key = ?", (chat_key,))
        return {} if row is None else dict(json.loads(row["settings"]))

    async def set_chat_setting(self, chat_key: str, name: str, value: str, log: ModlogEntry | None) -> None:
        def work(db: sqlite3.Connection) -> None:
            db.execute("INSERT OR IGNORE INTO chats(chat_key) VALUES (?)", (chat_key,))
            db.execute(
                "UPDATE chats SET settings = json_set(settings, '$.' || ?, ?) WHERE chat_key = ?",
                (name, value, chat_key),
            )
            insert_modlog(db, log)

        await self.db.transaction(work)
        self.forget_languages()

    # ---- comments ---------------------------------------------------------------------------------

    async def add_comment(self, new: NewComment, log: ModlogEntry | None = None) -> tuple[Comment, bool]:
        def work(db: sqlite3.Connection) -> tuple[Comment, bool]:
            if new.source_id is not None:
                seen = db.execute(
                    "SELECT id FROM comments WHERE chat_key = ? AND source_id = ?", (new.chat_key, new.source_id)
                ).fetchone()
                if seen is not None:
                    return fetch_comment(db, int(seen[0])), False
            row = db.execute(
                "INSERT INTO chats(chat_key, next_number) VALUES (?, 2) ON CONFLICT(chat_key)"
                " DO UPDATE SET next_number = next_number + 1 RETURNING next_number - 1",
                (new.chat_key,),
            ).fetchone()
            assert row is not None
            number = int(row[0])
            cur = db.execute(
                "INSERT INTO comments(chat_key, number, article_id, section_key, parent_number, author_key,"
                " text, status, created_at, source_id, hold_reason, room_key, changed_at)"
                f" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, {DB_NOW})",
                (new.chat_key, number, new.article_id, new.section_key, new.parent_number, new.author_key,
                 new.text, new.status.value, new.created_at, new.source_id, new.hold_reason, new.room_key),
            )
            name = db.execute("SELECT name FROM users WHERE user_key = ?", (new.author_key,)).fetchone()
            comment = Comment(int(cur.lastrowid or 0), new.chat_key, number, new.article_id, new.section_key,
                              new.parent_number, new.author_key, name[0] if name else new.author_key, new.text,
                              new.status, new.created_at, None, new.hold_reason, new.source_id, new.room_key)
            if comment.status is Status.VISIBLE:
                bump_count(db, comment, 1)
                queue_for_subscribers(db, comment)
            if log is not None:
                insert_modlog(db, ModlogEntry(
                    log.chat_key, log.at, log.actor_key, log.action, f"#{number}", log.reason, log.before, log.after
                ))
            return comment, True

        added = await self.db.transaction(work)
        self.forget_section_states(new.chat_key)
        return added

    async def comment(self, chat_key: str, number: int) -> Comment | None:
        row = await self.db.fetchone(
            f"SELECT {COMMENT_COLUMNS} FROM {COMMENT_FROM} WHERE c.chat_key = ? AND c.number = ?",
            (chat_key, number),
        )
        return None if row is None else to_comment(row)

    async def comments(
        self,
        chat_key: str,
        article_id: int,
        section_key: str | None,
        statuses: Sequence[Status],
        before: int | None,
        limit: int,
    ) -> list[Comment]:
        """Newest first, keyset-paged on the per-chat number (`before` is the last number seen)."""
        marks = ",".join("?" for _ in statuses)
        where = f"c.chat_key = ? AND c.article_id = ? AND c.status IN ({marks}) AND c.number < ?"
        params: list[object] = [chat_key, article_id, *(s.value for s in statuses), before or 2**62]
        if section_key is not None:
            where += " AND c.section_key = ?"
            params.append(section_key)
        rows = await self.db.fetchall(
            f"SELECT {COMMENT_COLUMNS} FROM {COMMENT_FROM} WHERE {where} ORDER BY c.number DESC LIMIT ?",
            (*params, limit),
        )
        return [to_comment(r) for r in rows]

    async def comments_by(self, chat_key: str, author_key: str, before: int | None, limit: int) -> list[Comment]:
        rows = await self.db.fetchall(
            f"SELECT {COMMENT_COLUMNS} FROM {COMMENT_FROM} WHERE c.chat_key = ? AND c.author_key IN"
            f" {ACCOUNTS.format(me='?')} AND c.number < ? ORDER BY c.number DESC LIMIT ?",
            (chat_key, author_key, author_key, before or 2**62, limit),
        )
        return [to_comment(r) for r in rows]

    async def all_comments(self, chat_key: str, after: int, limit: int) -> list[Comment]:
        rows = await self.db.fetchall(
            f"SELECT {COMMENT_COLUMNS} FROM {COMMENT_FROM} WHERE c.chat_key = ? AND c.number > ?"
            " ORDER BY c.number LIMIT ?",
            (chat_key, after, limit),
        )
        return [to_comment(r) for r in rows]

    async def section_state(self, chat_key: str, article_id: int, section_key: str) -> tuple[int, bool]:
        known = self.cached_section_state(chat_key, article_id, section_key)
        if known is not None:
            return known

        def work(db: sqlite3.Connection) -> tuple[int, bool]:
            count, locked = db.execute(SECTION_STATE, (chat_key, article_id, section_key, chat_key, article_id,
                                                       section_key)).fetchone()
            return int(count), bool(locked)

        found = await self.db.read(work, snapshot=False)
        self.remember_section_state(chat_key, article_id, section_key, *found)
        return found

    async def section_counts(self, chat_key: str, article_id: int) -> dict[str, int]:
        rows = await self.db.fetchall(
            "SELECT section_key, visible FROM section_counts WHERE chat_key = ? AND article_id = ?",
            (chat_key, article_id),
        )
        return {r["section_key"]: int(r["visible"]) for r in rows}

    async def last_comment_at(self, chat_key: str, author_key: str) -> float | None:
        row = await self.db.fetchone(
            "SELECT created_at FROM comments WHERE chat_key = ? AND author_key = ? ORDER BY number DESC LIMIT 1",
            (chat_key, author_key),
        )
        return None if row is None else float(row["created_at"])

    async def edit_comment(self, comment_id: int, text: str, now: float, log: ModlogEntry | None) -> Comment:
        def work(db: sqlite3.Connection) -> Comment:
            before = fetch_comment(db, comment_id)
            db.execute(
                "INSERT INTO comment_edits(comment_id, edited_at, text_before, text_after) VALUES (?, ?, ?, ?)",
                (comment_id, now, before.text, text),
            )
            db.execute(f"UPDATE comments SET text = ?, edited_at = ?, changed_at = {DB_NOW} WHERE id = ?",
                       (text, now, comment_id))
            insert_modlog(db, log)
            return fetch_comment(db, comment_id)

        return await self.db.transaction(work)

    async def set_status(
        self, comment_id: int, status: Status, log: ModlogEntry | None, hold_reason: str | None = None
    ) -> Comment:
        def work(db: sqlite3.Connection) -> Comment:
            current = fetch_comment(db, comment_id)
            insert_modlog(db, log)
            return change_status(db, current, status, hold_reason, log)

        changed = await self.db.transaction(work)
        self.forget_section_states(changed.chat_key)
        return changed

    async def set_status_by_author(self, chat_key: str, author_key: str, status: Status, log: ModlogEntry) -> int:
        def work(db: sqlite3.Connection) -> int:
            rows = [to_comment(r) for r in db.execute(
                f"SELECT {COMMENT_COLUMNS} FROM {COMMENT_FROM} WHERE c.chat_key = ? AND c.author_key = ?"
                " AND c.status IN ('visible', 'pending')",
                (chat_key, author_key),
            )]
            for comment in rows:
                change_status(db, comment, status, log=log)
            insert_modlog(db, ModlogEntry(
                log.chat_key, log.at, log.actor_key, log.action, log.target, log.reason,
                f"{len(rows)} comments", None,
            ))
            return len(rows)

        count = await self.db.transaction(work)
        self.forget_section_states(chat_key)
        return count

    async def edits(self, comment_id: int) -> list[tuple[float, str, str]]:
        rows = await self.db.fetchall(
            "SELECT edited_at, text_before, text_after FROM comment_edits WHERE comment_id = ? ORDER BY edited_at",
            (comment_id,),
        )
        return [(r["edited_at"], r["text_before"], r["text_after"]) for r in rows]
