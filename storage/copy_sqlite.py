"""The SQLite side of `db copy` (storage/copy.py), on a plain sqlite3 connection."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from storage.connection import migrate_sync
from storage.copy import PROGRESS_TABLE, Row, Table, decode_key, encode_key


def _where_after(table: Table, after: Row | None) -> tuple[str, tuple[object, ...]]:
    if after is None:
        return "", ()
    cols = ", ".join(table.key)
    marks = ", ".join("?" for _ in table.key)
    return f" WHERE ({cols}) > ({marks})", tuple(after)


class SqliteEndpoint:
    def __init__(self, path: str | Path, *, create: bool) -> None:
        self.label = str(path)
        if not create and not Path(path).exists():
            raise FileNotFoundError(f"No SQLite database at {path}")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(str(path), isolation_level=None)
        self.conn.execute("PRAGMA busy_timeout = 10000")
        migrate_sync(self.conn)

    def snapshot(self) -> None:
        # a read transaction held open for the whole copy: in WAL mode the bot may go on writing, and
        # every batch still comes from the one moment the copy began
        self.conn.execute("BEGIN")
        self.conn.execute("SELECT count(*) FROM articles").fetchone()

    def columns(self, table: str) -> list[str]:
        return [r[1] for r in self.conn.execute(f"PRAGMA table_xinfo({table})") if r[6] == 0]

    def count(self, table: str) -> int:
        return int(self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    def read(self, table: Table, columns: Sequence[str], after: Row | None, limit: int) -> list[Row]:
        where, params = _where_after(table, after)
        order = ", ".join(table.key)
        return [tuple(r) for r in self.conn.execute(
            f"SELECT {', '.join(columns)} FROM {table.name}{where} ORDER BY {order} LIMIT ?", (*params, limit))]

    def read_group(self, table: Table, columns: Sequence[str], after: Row | None, upto: Row) -> list[Row]:
        where, params = _where_after(table, after)
        cols = ", ".join(table.key)
        marks = ", ".join("?" for _ in table.key)
        clause = (where + " AND" if where else " WHERE") + f" ({cols}) <= ({marks})"
        return [tuple(r) for r in self.conn.execute(
            f"SELECT {', '.join(columns)} FROM {table.name}{clause} ORDER BY {cols}, rowid", (*params, *upto))]

    def progress(self) -> dict[str, tuple[Row | None, bool]] | None:
        exists = self.conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (PROGRESS_TABLE,)).fetchone()
        if not exists:
            return None
        return {name: (decode_key(last), bool(done))
                for name, last, done in self.conn.execute(f"SELECT tbl, last_key, done FROM {PROGRESS_TABLE}")}

    def begin_copy(self, tables: Sequence[str]) -> None:
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.execute(f"CREATE TABLE {PROGRESS_TABLE} (tbl TEXT PRIMARY KEY, last_key TEXT, done INTEGER)")
            self.conn.executemany(f"INSERT INTO {PROGRESS_TABLE} VALUES (?, NULL, 0)", [(t,) for t in tables])

    def write(self, table: str, columns: Sequence[str], rows: Sequence[Row], last: Row | None, done: bool) -> None:
        marks = ", ".join("?" for _ in columns)
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            if rows:
                self.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
            self.conn.execute(f"UPDATE {PROGRESS_TABLE} SET last_key = ?, done = ? WHERE tbl = ?",
                              (encode_key(last), int(done), table))

    def finish_copy(self) -> None:
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            # the search index holds each live section's text, as storage/articles.py writes it
            self.conn.execute("DELETE FROM section_fts")
            rows = self.conn.execute("SELECT heading, body, article_id, key FROM sections WHERE position > 0")
            self.conn.executemany(
                "INSERT INTO section_fts(heading, body, article_id, key) VALUES (?, ?, ?, ?)",
                [(h, "\n\n".join(_paragraphs(b)), a, k) for h, b, a, k in rows.fetchall()])
            self.conn.execute(f"DROP TABLE {PROGRESS_TABLE}")

    def close(self) -> None:
        self.conn.close()


def _paragraphs(body: str) -> list[str]:
    import json

    return [str(p) for p in json.loads(body)]
