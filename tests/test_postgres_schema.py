"""PostgreSQL so far: the schema's steps match SQLite's table for table, several processes migrating a
fresh database at once leave it migrated once, and `db copy` carries a live discussion SQLite → PostgreSQL →
SQLite with every row intact. On a real server (tests/pg_cluster.py)."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg

from storage.copy import TABLES
from storage.postgres import migrate
from storage.postgres.schema import POSTGRES_MIGRATIONS
from storage.schema import MIGRATIONS, SCHEMA_VERSION
from tests.support import Harness
from tests.test_db_copy import ROOT, cli, dump, live_discussion


def test_both_stores_have_the_same_numbered_steps() -> None:
    assert len(POSTGRES_MIGRATIONS) == len(MIGRATIONS)


async def test_migrate_builds_the_same_tables_and_columns(tmp_path: Path, pg_url: str) -> None:
    assert await migrate(pg_url) == SCHEMA_VERSION
    assert await migrate(pg_url) == SCHEMA_VERSION  # a second run finds nothing to do
    sqlite_db = tmp_path / "s.db"
    assert cli("db", "migrate", "--db", str(sqlite_db)).returncode == 0
    lite = sqlite3.connect(sqlite_db)
    with psycopg.connect(pg_url) as pg:
        for table in TABLES:
            pg_columns = {r[0] for r in pg.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND is_generated = 'NEVER'",
                (table.name,))}
            lite_columns = {r[1] for r in lite.execute(f"PRAGMA table_info({table.name})")}
            assert pg_columns == lite_columns, table.name


def test_six_processes_migrating_at_once_all_succeed(pg_url: str) -> None:
    procs = [subprocess.Popen([sys.executable, "-m", "articlebot", "db", "migrate", "--db", pg_url], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(6)]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, [err for _, err in results]
    assert all(f"schema version {SCHEMA_VERSION}" in out for out, _ in results)
    with psycopg.connect(pg_url) as pg:
        assert pg.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]


async def test_copy_to_postgresql_and_back_keeps_every_row(tmp_path: Path, pg_url: str) -> None:
    await live_discussion(tmp_path / "a.db")
    there = await asyncio.to_thread(cli, "db", "copy", str(tmp_path / "a.db"), pg_url, "--batch", "4")
    assert there.returncode == 0, there.stderr
    assert "every table's count matches" in there.stdout and "postgres@127.0.0.1" in there.stdout
    with psycopg.connect(pg_url) as pg:
        assert pg.execute("SELECT count(*) FROM comments").fetchone() == (32,)
        assert pg.execute("SELECT next_number FROM chats WHERE chat_key = 'test:group'").fetchone() == (33,)
        assert pg.execute("SELECT to_regclass('copy_progress')").fetchone() == (None,)
        # ids continue after the copied ones: the identity sequences were moved past them
        pg.execute("INSERT INTO modlog (chat_key, at, actor_key, action, target) VALUES ('x', 0, 'a', 'b', 'c')")
        top = pg.execute("SELECT max(id) FROM modlog").fetchone()
        assert top is not None and top[0] > 1
        pg.rollback()
        hits = pg.execute("SELECT key FROM sections WHERE search @@ plainto_tsquery('simple', 'living')").fetchall()
        assert hits  # the search column is built by PostgreSQL from the copied sections
    back = await asyncio.to_thread(cli, "db", "copy", pg_url, str(tmp_path / "b.db"), "--batch", "7")
    assert back.returncode == 0, back.stderr
    assert dump(tmp_path / "a.db") == dump(tmp_path / "b.db")
    await the_discussion_goes_on(pg_url)
    refused = await asyncio.to_thread(cli, "db", "copy", str(tmp_path / "a.db"), pg_url)
    assert refused.returncode == 2 and "already holds data" in refused.stderr


async def the_discussion_goes_on(target: str) -> None:
    """The bot on the copied PostgreSQL database: numbers, bans, filters and locks hold; the search works."""
    h = await Harness.open(target)
    try:
        h.admin("boss")
        assert "Saved as #33" in await h.say("dan", "/comment after the move")
        assert "You are banned" in await h.say("cat", "/comment let me back")
        assert "waiting for a moderator" in await h.say("dan", "/comment this is nasty")
        await h.say("dan", "/section 3")
        assert "Commenting on §3 Technological Integration is closed" in await h.say("dan", "/comment on three")
        assert "Cost of Living" in await h.say("dan", "/search living")
        assert "rent is cheap, mostly" in await h.say("boss", "/comments 2")
    finally:
        await h.close()


def test_a_password_never_shows_in_an_error(tmp_path: Path, pg_server: str) -> None:
    port = pg_server.rsplit(":", 1)[1].split("/")[0]
    secret = "s3cret-Pa55"
    url = f"postgresql://nobody:{secret}@127.0.0.1:{port}/nodb"
    done = cli("db", "copy", str(tmp_path / "missing.db"), str(tmp_path / "x.db"))
    assert done.returncode == 2
    done = cli("db", "migrate", "--db", url)
    assert done.returncode == 2 and "Cannot migrate postgresql://nobody:***@127.0.0.1" in done.stderr
    assert secret not in done.stderr + done.stdout
