"""`articlebot db migrate` and `articlebot db copy SOURCE TARGET`: the operator's database chores."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO
from urllib.parse import unquote

from bot.errors import BotError
from storage.copy import DEFAULT_BATCH, Endpoint, copy_all
from storage.open import is_postgres


def redact(target: str) -> str:
    """A database address fit for a log line or an error: a URL's password replaced by ***."""
    if not is_postgres(target):
        return target
    scheme, _, rest = target.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at:
        return target
    user, colon, _ = credentials.partition(":")
    return f"{scheme}://{user}{':***' if colon else ''}@{host}"


def open_endpoint(target: str, *, create: bool) -> Endpoint:
    if is_postgres(target):
        from storage.copy_postgres import PostgresEndpoint

        return PostgresEndpoint(target)
    from storage.copy_sqlite import SqliteEndpoint

    return SqliteEndpoint(target, create=create)


def add_db_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = sub.add_parser("db", help="database chores: migrate, copy")
    chores = db.add_subparsers(dest="db_command", required=True)
    mig = chores.add_parser("migrate", help="apply pending schema steps and exit")
    mig.add_argument("--db", metavar="PATH_OR_URL", help="SQLite file or postgresql:// URL (default: the settings')")
    cp = chores.add_parser("copy", help="copy every row from one database into another, empty one")
    cp.add_argument("source", help="SQLite file or postgresql:// URL to copy from")
    cp.add_argument("target", help="SQLite file or postgresql:// URL to copy into (must be empty)")
    cp.add_argument("--batch", type=int, default=DEFAULT_BATCH, help=f"rows per transaction (default {DEFAULT_BATCH})")


class Progress:
    """One line per table; on a terminal, the line counts up in place."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.live = out.isatty()
        self.current: str | None = None

    def __call__(self, table: str, copied: int, total: int) -> None:
        line = f"{table}: {copied:,} of {total:,} rows"
        if self.live:
            self.out.write(f"\r{line}\033[K")
            if copied >= total:
                self.out.write("\n")
        elif copied >= total and table != self.current:
            self.out.write(line + "\n")
            self.current = table
        self.out.flush()


def run_copy(source: str, target: str, batch: int) -> int:
    if source == target:
        print("The source and the target are the same database.", file=sys.stderr)
        return 2
    try:
        src = open_endpoint(source, create=False)
    except Exception as err:
        print(f"Cannot open the source {redact(source)}: {plain_error(err, source)}", file=sys.stderr)
        return 2
    try:
        try:
            dst = open_endpoint(target, create=True)
        except Exception as err:
            print(f"Cannot open the target {redact(target)}: {plain_error(err, target)}", file=sys.stderr)
            return 2
        try:
            report = copy_all(src, dst, batch=batch, progress=Progress(sys.stderr))
        except BotError as err:
            print(f"Not copied: {err}", file=sys.stderr)
            return 2
        finally:
            dst.close()
    finally:
        src.close()
    rows = sum(report.counts.values())
    how = "Finished an interrupted copy" if report.resumed else "Copied"
    print(f"{how}: {rows:,} rows in {len(report.counts)} tables from {redact(source)} to {redact(target)}; "
          "every table's count matches.")
    return 0


def run_migrate(target: str) -> int:
    try:
        if is_postgres(target):
            import asyncio

            from storage.postgres import migrate as pg_migrate

            version = asyncio.run(pg_migrate(target))
        else:
            import sqlite3
            from pathlib import Path

            from storage.connection import migrate_sync

            Path(target).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(target, isolation_level=None)
            try:
                conn.execute("PRAGMA busy_timeout = 10000")
                version = migrate_sync(conn)
            finally:
                conn.close()
    except Exception as err:
        print(f"Cannot migrate {redact(target)}: {plain_error(err, target)}", file=sys.stderr)
        return 2
    print(f"{redact(target)} is at schema version {version}.")
    return 0


def url_password_forms(target: str) -> list[str]:
    """The password of a postgresql:// URL as written and as decoded (either may be quoted back)."""
    if not is_postgres(target):
        return []
    password = target.partition("://")[2].rpartition("@")[0].partition(":")[2]
    return sorted({password, unquote(password)} - {""}, key=len, reverse=True)


def plain_error(err: BaseException, target: str) -> str:
    """An error's words with any password of the address taken out (drivers quote the DSN back)."""
    text = " ".join((str(err) or type(err).__name__).split())
    for form in url_password_forms(target):
        text = text.replace(form, "***")
    return text
