"""The PostgreSQL side of `db copy` (storage/copy.py), on one plain psycopg connection: rows go in by
COPY, which is PostgreSQL's fastest way in, and each batch commits with its progress note."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import psycopg
from psycopg import sql

from storage.copy import PROGRESS_TABLE, TABLES, Row, Table, decode_key, encode_key


def _after(table: Table, after: Row | None) -> tuple[sql.Composable, tuple[object, ...]]:
    if after is None:
        return sql.SQL("TRUE"), ()
    cols = sql.SQL(", ").join(sql.Identifier(k) for k in table.key)
    marks = sql.SQL(", ").join(sql.Placeholder() for _ in table.key)
    return sql.SQL("({}) > ({})").format(cols, marks), tuple(after)


class PostgresEndpoint:
    def __init__(self, url: str) -> None:
        from storage.postgres import migrate

        self.label = "the PostgreSQL database"
        asyncio.run(migrate(url))  # the copy is a command of its own, never inside the bot's event loop
        self.conn = psycopg.connect(url, autocommit=True, connect_timeout=10)

    def columns(self, table: str) -> list[str]:
        rows = self.conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
            " AND table_name = %s AND is_generated = 'NEVER' ORDER BY ordinal_position", (table,)).fetchall()
        return [r[0] for r in rows]

    def count(self, table: str) -> int:
        row = self.conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()
        return int(row[0]) if row else 0

    def _select(self, table: Table, columns: Sequence[str], where: sql.Composable) -> sql.Composed:
        return sql.SQL("SELECT {} FROM {} WHERE {} ORDER BY {}").format(
            sql.SQL(", ").join(sql.Identifier(c) for c in columns), sql.Identifier(table.name), where,
            sql.SQL(", ").join(sql.Identifier(k) for k in table.key))

    def read(self, table: Table, columns: Sequence[str], after: Row | None, limit: int) -> list[Row]:
        where, params = _after(table, after)
        query = self._select(table, columns, where) + sql.SQL(" LIMIT {}").format(sql.Literal(limit))
        return [tuple(r) for r in self.conn.execute(query, params).fetchall()]

    def read_group(self, table: Table, columns: Sequence[str], after: Row | None, upto: Row) -> list[Row]:
        where, params = _after(table, after)
        cols = sql.SQL(", ").join(sql.Identifier(k) for k in table.key)
        marks = sql.SQL(", ").join(sql.Placeholder() for _ in table.key)
        bounded = sql.SQL("{} AND ({}) <= ({})").format(where, cols, marks)
        return [tuple(r) for r in self.conn.execute(self._select(table, columns, bounded), (*params, *upto))]

    def snapshot(self) -> None:
        # one REPEATABLE READ transaction for the whole copy: every batch sees the same moment
        self.conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")

    def progress(self) -> dict[str, tuple[Row | None, bool]] | None:
        if self.conn.execute("SELECT to_regclass(%s)", (PROGRESS_TABLE,)).fetchone() == (None,):
            return None
        rows = self.conn.execute(sql.SQL("SELECT tbl, last_key, done FROM {}").format(
            sql.Identifier(PROGRESS_TABLE))).fetchall()
        return {name: (decode_key(last), bool(done)) for name, last, done in rows}

    def begin_copy(self, tables: Sequence[str]) -> None:
        with self.conn.transaction():
            self.conn.execute(sql.SQL("CREATE TABLE {} (tbl TEXT PRIMARY KEY, last_key TEXT, done BOOLEAN NOT NULL)")
                              .format(sql.Identifier(PROGRESS_TABLE)))
            with self.conn.cursor() as cur:
                cur.executemany(sql.SQL("INSERT INTO {} VALUES (%s, NULL, FALSE)").format(
                    sql.Identifier(PROGRESS_TABLE)), [(t,) for t in tables])

    def write(self, table: str, columns: Sequence[str], rows: Sequence[Row], last: Row | None, done: bool) -> None:
        with self.conn.transaction(), self.conn.cursor() as cur:
            if rows:
                statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns))
                with cur.copy(statement) as copy:
                    for row in rows:
                        copy.write_row(row)
            cur.execute(sql.SQL("UPDATE {} SET last_key = %s, done = %s WHERE tbl = %s").format(
                sql.Identifier(PROGRESS_TABLE)), (encode_key(last), done, table))

    def finish_copy(self) -> None:
        with self.conn.transaction():
            # ids arrived as they were: each id sequence moves past the highest, or the next insert collides
            for table in (t for t in TABLES if t.key == ("id",)):
                seq = self.conn.execute("SELECT pg_get_serial_sequence(%s, 'id')", (table.name,)).fetchone()
                if seq is None or seq[0] is None:
                    continue
                self.conn.execute(sql.SQL("SELECT setval(%s, coalesce(max(id), 1), max(id) IS NOT NULL) FROM {}")
                                  .format(sql.Identifier(table.name)), (seq[0],))
            self.conn.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(PROGRESS_TABLE)))

    def close(self) -> None:
        self.conn.close()
