"""`articlebot db copy`: every kind of row arrives, counts are checked, a non-empty target is refused, and
a copy stopped half way finishes when run again."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from articlebot.dbcommands import redact
from bot.records import FeedFollow, MirrorCopy, ModlogEntry
from storage.copy import TABLES, copy_all
from storage.copy_sqlite import SqliteEndpoint
from tests.support import Harness

ROOT = Path(__file__).resolve().parent.parent


async def live_discussion(path: Path) -> None:
    """A database with at least one row in every table the copy knows."""
    h = await Harness.open(path)
    try:
        h.admin("boss")
        await h.say("ann", "/section 2")
        await h.say("ann", "/comment rent is cheap 中文 <b>&")
        await h.say("bob", "/reply #1 not everywhere")
        await h.say("ann", "/edit #1 rent is cheap, mostly")
        await h.say("cat", "/report #2 rude")
        await h.say("boss", "/ban cat 2h spamming")
        await h.say("boss", "/filter add nasty hold")
        await h.say("boss", "/lock 3")
        await h.say("boss", "/remove #2 off topic")
        await h.store.inbox_add("telegram", [(7, '{"update_id": 7}'), (8, '{"update_id": 8}')], 1.0)
        await h.store.inbox_done("telegram", [7], 2.0)
        await h.store.inbox_add("telegram", [(9, '{"update_id": 9}')], 2.0, ["telegram:-5"])
        assert await h.store.claim_chats("telegram", "worker-1", 3.0, 10.0, 5) == ["telegram:-5"]
        assert await h.store.reserve("telegram:bot", 0.5, 1, 3.0) == 0.0
        await h.store.set_channel_marks({"discord:3001": 12345})
        assert await h.store.link_room("test:joined", "test:group", "Joined", 4.0,
                                       ModlogEntry("test:group", 4.0, "test:boss", "link", "test:joined"))
        await h.store.open_web_page("test:group", "a-web-token", 4.0,
                                    ModlogEntry("test:group", 4.0, "test:boss", "web", "on"))
        assert await h.store.set_mirror("test:joined", "test:group", True,
                                        ModlogEntry("test:group", 4.0, "test:boss", "mirror", "on"))
        assert await h.store.mirrors_due(4.0, "worker-1", 30.0, 10)
        await h.store.mirror_done("test:joined", "worker-1", 4.0, 4.0, [MirrorCopy(1, 1, "777", 4.0)])
        await h.store.link_person("test:u1", "test:u0", 4.0)
        follow = FeedFollow("test:group", "https://example.org/feed.xml", "Example", False, "test:boss", 3.0, 900.0)
        await h.store.follow_feed(follow, ["post-1", "https://example.org/p/1"],
                                  ModlogEntry("test:group", 3.0, "test:boss", "follow", follow.url))
        await h.say("dan", "/subscribe")  # the notes below queue for dan: rows in subscriptions and outbox
        for i in range(30):
            await h.say(f"u{i}", f"/comment note {i}")
        await h.say("bob", "/like #1")
        await h.say("boss", "/modqueue dm")  # a moderator, and a code waiting to be used
        await h.say("boss", "/modqueue here")
        await h.store.review_posted(1, [("test:boss", "99")])  # the ban's notice, as if sent
    finally:
        await h.close()


def dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(path)
    try:
        out = {}
        for t in TABLES:
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({t.name})")]
            out[t.name] = sorted(conn.execute(f"SELECT {', '.join(cols)} FROM {t.name}").fetchall(), key=repr)
        out["section_fts"] = sorted(conn.execute("SELECT heading, body, article_id, key FROM section_fts"))
        return out
    finally:
        conn.close()


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": "", "DISCORD_BOT_TOKEN": ""}
    return subprocess.run([sys.executable, "-m", "articlebot", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120, stdin=subprocess.DEVNULL)


async def test_every_table_has_rows_in_the_fixture(tmp_path: Path) -> None:
    await live_discussion(tmp_path / "a.db")
    empty = [name for name, rows in dump(tmp_path / "a.db").items() if not rows]
    assert empty == []


async def test_copy_gives_an_identical_database_in_small_batches(tmp_path: Path) -> None:
    await live_discussion(tmp_path / "a.db")
    done = cli("db", "copy", str(tmp_path / "a.db"), str(tmp_path / "b.db"), "--batch", "3")
    assert done.returncode == 0, done.stderr
    assert "every table's count matches" in done.stdout
    assert "comments: " in done.stderr  # progress, one line per table when not on a terminal
    assert dump(tmp_path / "a.db") == dump(tmp_path / "b.db")
    h = await Harness.open(tmp_path / "b.db")  # the copy is a working database: search and numbering go on
    try:
        assert "Cost of Living" in await h.say("ann", "/search living")
        assert "Saved as #33" in await h.say("dan", "/comment after the move")
    finally:
        await h.close()


async def test_a_target_with_data_is_refused_and_left_alone(tmp_path: Path) -> None:
    await live_discussion(tmp_path / "a.db")
    await live_discussion(tmp_path / "b.db")
    before = dump(tmp_path / "b.db")
    done = cli("db", "copy", str(tmp_path / "a.db"), str(tmp_path / "b.db"))
    assert done.returncode == 2
    assert "already holds data" in done.stderr and "empty database" in done.stderr
    assert dump(tmp_path / "b.db") == before


async def test_an_interrupted_copy_finishes_when_run_again(tmp_path: Path) -> None:
    await live_discussion(tmp_path / "a.db")

    class Interrupted(Exception):
        pass

    batches = 0

    def stop_after_some(table: str, copied: int, total: int) -> None:
        nonlocal batches
        batches += 1
        if table == "comments" and copied >= 6:
            raise Interrupted

    src, dst = SqliteEndpoint(tmp_path / "a.db", create=False), SqliteEndpoint(tmp_path / "b.db", create=True)
    with pytest.raises(Interrupted):
        copy_all(src, dst, batch=3, progress=stop_after_some)
    src.close()
    dst.close()
    half = sqlite3.connect(tmp_path / "b.db").execute("SELECT count(*) FROM comments").fetchone()[0]
    assert 0 < half < 32
    done = cli("db", "copy", str(tmp_path / "a.db"), str(tmp_path / "b.db"), "--batch", "5")
    assert done.returncode == 0, done.stderr
    assert "Finished an interrupted copy" in done.stdout
    assert dump(tmp_path / "a.db") == dump(tmp_path / "b.db")


def test_missing_source_and_same_database_are_plain_errors(tmp_path: Path) -> None:
    done = cli("db", "copy", str(tmp_path / "nope.db"), str(tmp_path / "b.db"))
    assert done.returncode == 2 and "Cannot open the source" in done.stderr and "Traceback" not in done.stderr
    done = cli("db", "copy", str(tmp_path / "x.db"), str(tmp_path / "x.db"))
    assert done.returncode == 2 and "same database" in done.stderr


def test_db_migrate_brings_a_fresh_file_to_the_current_version(tmp_path: Path) -> None:
    from storage.schema import SCHEMA_VERSION

    done = cli("db", "migrate", "--db", str(tmp_path / "m.db"))
    assert done.returncode == 0, done.stderr
    assert f"schema version {SCHEMA_VERSION}" in done.stdout
    assert sqlite3.connect(tmp_path / "m.db").execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_redact_hides_only_the_password() -> None:
    assert redact("postgresql://bot:s3cr%40t@db.example:5432/ab") == "postgresql://bot:***@db.example:5432/ab"
    assert redact("postgres://bot@db/ab") == "postgres://bot@db/ab"
    assert redact("./data/articlebot.db") == "./data/articlebot.db"
