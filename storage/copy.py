"""`articlebot db copy`: every row of one store into another (SQLite or PostgreSQL, either way), table by
table in key order, in batches that each commit together with a note of how far the copy got, so an
interrupted copy resumes where it stopped. Derived data (the search index, id sequences) is rebuilt by the
target at the end, and every table's count is compared before the copy says it is done.

The copy reads the source as it is: stop the bot (or let it write to the source only) while copying, then
start it on the target."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.errors import BotError

Row = tuple[Any, ...]
PROGRESS_TABLE = "copy_progress"
DEFAULT_BATCH = 2_000


@dataclass(frozen=True)
class Table:
    name: str
    key: tuple[str, ...]
    unique: bool = True  # a non-unique key is copied in whole groups, so a batch never splits one


# parents before children, so a target with foreign keys accepts each batch as it lands
TABLES: tuple[Table, ...] = (
    Table("articles", ("id",)),
    Table("sections", ("article_id", "key")),
    Table("chats", ("chat_key",)),
    Table("users", ("user_key",)),
    Table("positions", ("chat_key", "user_key")),
    Table("comments", ("id",)),
    Table("section_counts", ("chat_key", "article_id", "section_key")),
    Table("comment_edits", ("comment_id",), unique=False),
    Table("anchors", ("chat_key", "message_id")),
    Table("bans", ("chat_key", "user_key")),
    Table("locks", ("chat_key", "article_id", "section_key")),
    Table("filters", ("chat_key", "word_fold")),
    Table("reports", ("comment_id", "reporter_key")),
    Table("modlog", ("id",)),
    Table("inbox", ("platform", "update_id")),
    Table("feeds", ("chat_key", "url")),
    Table("feed_entries", ("chat_key", "url", "entry")),
    Table("votes", ("comment_id", "voter_key")),
    Table("subscriptions", ("chat_key", "section_key", "user_key")),
    Table("outbox", ("user_key", "comment_id")),
    Table("reviews", ("id",)),
    Table("review_copies", ("review_id", "chat_key")),
    Table("moderators", ("chat_key", "user_key")),
    Table("codes", ("code",)),
    Table("chat_claims", ("platform", "chat_key")),
    Table("rate_limits", ("key",)),
    Table("channel_marks", ("chat_key",)),
    Table("room_links", ("room_key",)),
    Table("web_pages", ("room_key",)),
    Table("mirrors", ("room_key",)),
    Table("mirror_copies", ("room_key", "comment_id")),
    Table("people", ("user_key",)),
)


class Endpoint(Protocol):
    """One side of a copy: a database reached synchronously (a copy is a batch job, not a bot)."""

    label: str

    def columns(self, table: str) -> list[str]:
        """The columns a copy may write (generated ones left out)."""
        ...

    def count(self, table: str) -> int: ...
    def read(self, table: Table, columns: Sequence[str], after: Row | None, limit: int) -> list[Row]: ...
    def read_group(self, table: Table, columns: Sequence[str], after: Row | None, upto: Row) -> list[Row]: ...
    def snapshot(self) -> None:
        """Read everything after this from one consistent state of the database."""
        ...

    def progress(self) -> dict[str, tuple[Row | None, bool]] | None:
        """How far an earlier copy into this database got, or None if none was started here."""
        ...

    def begin_copy(self, tables: Sequence[str]) -> None: ...
    def write(self, table: str, columns: Sequence[str], rows: Sequence[Row], last: Row | None, done: bool) -> None:
        """Rows and the progress note in one transaction."""
        ...

    def finish_copy(self) -> None:
        """Rebuild what the target derives from rows (search index, id sequences); drop the progress note."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class CopyReport:
    counts: dict[str, int]
    resumed: bool


def plain(value: Any) -> Any:
    """A value as both stores take it: JSON documents that a PostgreSQL column returned as objects go back
    to text, booleans to 0/1."""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return int(value)
    return value


def key_of(row: Row, columns: Sequence[str], table: Table) -> Row:
    return tuple(row[columns.index(k)] for k in table.key)


def copy_all(source: Endpoint, target: Endpoint, *, batch: int = DEFAULT_BATCH,
             progress: Callable[[str, int, int], None] | None = None) -> CopyReport:
    """Copy every table; `progress(table, copied, total)` is called after each batch."""
    if batch < 1:
        raise BotError("The batch size must be at least 1.")
    source.snapshot()
    done_before = target.progress()
    resumed = done_before is not None
    if done_before is None:
        busy = [t.name for t in TABLES if target.count(t.name)]
        if busy:
            raise BotError(f"The target {target.label} already holds data (in {', '.join(busy)}); "
                           "copy into an empty database.")
        target.begin_copy([t.name for t in TABLES])
        done_before = {t.name: (None, False) for t in TABLES}
    counts: dict[str, int] = {}
    for table in TABLES:
        total = source.count(table.name)
        counts[table.name] = total
        after, finished = done_before.get(table.name, (None, False))
        if finished:
            if progress:
                progress(table.name, total, total)
            continue
        wanted = target.columns(table.name)
        columns = [c for c in source.columns(table.name) if c in wanted]
        copied = target.count(table.name)
        while True:
            rows = source.read(table, columns, after, batch)
            if rows and not table.unique:
                rows = source.read_group(table, columns, after, key_of(rows[-1], columns, table))
            if not rows:
                target.write(table.name, columns, [], after, True)
                break
            after = key_of(rows[-1], columns, table)
            target.write(table.name, columns, [tuple(plain(v) for v in r) for r in rows], after, False)
            copied += len(rows)
            if progress:
                progress(table.name, copied, total)
        if progress:
            progress(table.name, copied, total)
    mismatched = [f"{name} {target.count(name)} of {n}" for name, n in counts.items() if target.count(name) != n]
    if mismatched:
        raise BotError("The copy is incomplete: " + "; ".join(mismatched) + ". Nothing was lost in the source; "
                       "run the copy again to finish it.")
    target.finish_copy()
    return CopyReport(counts, resumed)


def encode_key(key: Row | None) -> str | None:
    return None if key is None else json.dumps(list(key))


def decode_key(text: str | None) -> Row | None:
    return None if text is None else tuple(json.loads(text))
