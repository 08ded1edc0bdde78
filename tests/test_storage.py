"""Both stores on real databases (SQLite files and a PostgreSQL server): durability, idempotency, numbering,
keyset paging, search, caches; and what is SQLite's own: WAL, migrations, locks, group commit."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from pathlib import Path
from typing import Any

import aiosqlite
import psycopg
import pytest

from bot.article import ParsedArticle, ParsedSection
from bot.records import ModlogEntry, NewComment, Position, Status
from bot.types import Anchor
from storage.connection import SchemaTooNew, migrate
from storage.open import AnyStore, open_store
from storage.postgres.store import PostgresStore
from storage.schema import MIGRATIONS, SCHEMA_VERSION
from storage.sqlite import SqliteStore
from tests.support import table_rows

ARTICLE = ParsedArticle(
    title="Test piece",
    byline=None,
    intro=("Intro text.",),
    sections=(
        ParsedSection("Alpha rails", "alpha-rails", ("High-speed rail networks everywhere.",)),
        ParsedSection("中文部分", "中文部分", ("这是一个关于小红书的段落。",)),
        ParsedSection("Gamma", "gamma", ("Quotes \" and operators AND OR NOT * ( ) are plain words.",)),
    ),
)


def new(chat: str, text: str, *, section: str = "alpha-rails", source: str | None = None,
        status: Status = Status.VISIBLE, author: str = "t:1") -> NewComment:
    return NewComment(chat, 1, section, None, author, text, status, 1000.0, source)


@pytest.fixture
async def store(database: Path | str):  # type: ignore[no-untyped-def]
    s = await open_store(database)
    await s.save_article("t", ARTICLE, 1.0)
    yield s
    await s.close()


@pytest.fixture
async def sqlite_store(tmp_path: Path):  # type: ignore[no-untyped-def]
    s = await SqliteStore.open(tmp_path / "s.db")
    await s.save_article("t", ARTICLE, 1.0)
    yield s
    await s.close()




async def test_open_uses_wal_and_current_schema(tmp_path: Path) -> None:
    s = await SqliteStore.open(tmp_path / "w.db")
    await s.close()
    with sqlite3.connect(tmp_path / "w.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


@pytest.mark.parametrize("start", range(SCHEMA_VERSION))
async def test_every_earlier_schema_migrates_forward(tmp_path: Path, start: int) -> None:
    path = tmp_path / f"v{start}.db"
    async with aiosqlite.connect(path, isolation_level=None) as db:
        assert await migrate(db, target=start) == start
    s = await SqliteStore.open(path)
    try:
        await s.save_article("t", ARTICLE, 1.0)
        comment, created = await s.add_comment(new("c:1", "after migration"))
        assert created and comment.number == 1
    finally:
        await s.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


async def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(SchemaTooNew):
        await SqliteStore.open(path)


async def test_comment_is_committed_when_add_returns(store: AnyStore, database: Path | str) -> None:
    await store.add_comment(new("c:1", "durable"))
    assert table_rows(database, "SELECT text FROM comments") == [("durable",)]  # another connection sees it


async def test_one_message_delivered_at_once_many_times_is_one_comment_and_no_gap(store: AnyStore) -> None:
    results = await asyncio.gather(*(store.add_comment(new("c:1", "twice", source="m1")) for _ in range(8)),
                                   *(store.add_comment(new("c:1", f"n{i}", source=f"s{i}")) for i in range(8)))
    assert sum(created for _, created in results) == 9
    assert len({c.id for c, _ in results[:8]}) == 1
    assert sorted({c.number for c, _ in results}) == list(range(1, 10))


async def test_same_source_message_is_recorded_once(store: AnyStore) -> None:
    first, created1 = await store.add_comment(new("c:1", "hi", source="m1"))
    second, created2 = await store.add_comment(new("c:1", "hi", source="m1"))
    other_chat, created3 = await store.add_comment(new("c:2", "hi", source="m1"))
    assert (created1, created2, created3) == (True, False, True)
    assert first.id == second.id and other_chat.number == 1


async def test_concurrent_writers_get_unique_consecutive_numbers(store: AnyStore) -> None:
    results = await asyncio.gather(*(store.add_comment(new("c:1", f"n{i}", source=f"s{i}")) for i in range(60)))
    assert sorted(c.number for c, _ in results) == list(range(1, 61))


async def test_keyset_pages_cover_everything_once(store: AnyStore) -> None:
    for i in range(35):
        await store.add_comment(new("c:1", f"n{i}"))
    seen: list[int] = []
    before = None
    while True:
        page = await store.comments("c:1", 1, None, [Status.VISIBLE], before, 10)
        if not page:
            break
        seen += [c.number for c in page]
        before = page[-1].number
    assert seen == list(range(35, 0, -1))


async def test_listing_queries_use_indexes_not_offset_or_scans(sqlite_store: SqliteStore, tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "s.db") as db:
        plan = " ".join(r[3] for r in db.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM comments c WHERE c.chat_key='x' AND c.article_id=1 AND"
            " c.section_key='a' AND c.status IN ('visible') AND c.number < 5 ORDER BY c.number DESC LIMIT 11"))
        assert "USING INDEX comments_by_section" in plan and "SCAN c" not in plan
    source = Path(__file__).resolve().parent.parent / "storage"
    sql_offset = re.compile(r"\bOFFSET\s+(\?|\d|:|%)", re.IGNORECASE)
    assert not any(sql_offset.search(p.read_text()) for p in source.rglob("*.py"))


async def test_postgres_store_reconnects_when_the_server_ends_its_sessions(pg_url: str) -> None:
    s = await open_store(pg_url)
    try:
        await s.save_article("t", ARTICLE, 1.0)
        await asyncio.gather(*(s.list_articles() for _ in range(6)))  # several connections, idle now
        with psycopg.connect(pg_url, autocommit=True) as admin:  # an operator (or a restart) ends them all
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                          " WHERE datname = current_database() AND pid <> pg_backend_pid()")
        assert [a.slug for a in await s.list_articles()] == ["t"]  # a read runs again on a fresh connection
        comment, created = await s.add_comment(new("c:1", "after the restart"))
        assert created and comment.number == 1
    finally:
        await s.close()


async def test_postgres_pool_shares_its_few_connections_among_many_writers(pg_url: str) -> None:
    s = await open_store(pg_url, pool_size=3)
    try:
        assert isinstance(s, PostgresStore)
        await s.save_article("t", ARTICLE, 1.0)
        results = await asyncio.gather(*(s.add_comment(new("c:1", f"n{i}", source=f"s{i}")) for i in range(50)))
        assert sorted(c.number for c, _ in results) == list(range(1, 51))
        assert s.db.pool.opened <= 3
        with psycopg.connect(pg_url) as pg:
            row = pg.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()").fetchone()
        assert row is not None and row[0] <= 5  # the pool's three, the cache listener and this one
    finally:
        await s.close()


async def test_postgres_listing_is_an_ordered_index_scan(pg_url: str) -> None:
    s = await open_store(pg_url)
    await s.close()
    with psycopg.connect(pg_url) as pg:
        pg.execute("SET enable_seqscan = off")  # an empty table would be scanned; what matters is that it can't need to
        plan = " ".join(r[0] for r in pg.execute(
            "EXPLAIN SELECT * FROM comments c WHERE c.chat_key='x' AND c.article_id=1 AND"
            " c.section_key='a' AND c.status = ANY(ARRAY['visible']) AND c.number < 5 ORDER BY c.number DESC LIMIT 11"))
    # which index the planner picks depends on the statistics; none of them needs a scan or a sort
    assert "Index Scan" in plan and "Seq Scan" not in plan and "Sort" not in plan


async def test_section_counts_follow_status_changes(store: AnyStore) -> None:
    a, _ = await store.add_comment(new("c:1", "a"))
    await store.add_comment(new("c:1", "b"))
    await store.add_comment(new("c:1", "held", status=Status.PENDING))
    assert await store.section_counts("c:1", 1) == {"alpha-rails": 2}
    log = ModlogEntry("c:1", 1.0, "t:9", "remove", "#1")
    await store.set_status(a.id, Status.REMOVED, log)
    assert await store.section_counts("c:1", 1) == {"alpha-rails": 1}
    await store.set_status(a.id, Status.VISIBLE, None)
    assert await store.section_counts("c:1", 1) == {"alpha-rails": 2}
    assert await store.section_counts("c:2", 1) == {}


async def test_search_ranks_words_and_tolerates_query_syntax(store: AnyStore) -> None:
    hits = await store.search(1, "rail", 5)
    assert [h.section_key for h in hits] == ["alpha-rails"]
    assert "\x02" in hits[0].snippet
    for nasty in ['"', "AND OR NOT", "*", "(", "NEAR(", "a:b", "'; DROP TABLE comments; --"]:
        await store.search(1, nasty, 5)  # must not raise
    assert [h.section_key for h in await store.search(1, "operators", 5)] == ["gamma"]
    assert [h.section_key for h in await store.search(1, "小红书", 5)] == ["中文部分"]


async def test_reimport_updates_in_place_and_keeps_orphaned_comments(store: AnyStore) -> None:
    await store.add_comment(new("c:1", "on gamma", section="gamma"))
    changed = ParsedArticle("Test piece v2", "Someone", (), ARTICLE.sections[:2])
    saved = await store.save_article("t", changed, 2.0)
    assert not saved.created and saved.orphaned == ("gamma",)
    article = await store.get_article(saved.id)
    assert article is not None and article.title == "Test piece v2" and len(article.sections) == 2
    assert await store.orphaned_sections(saved.id) == [("gamma", "Gamma")]
    comment = await store.comment("c:1", 1)
    assert comment is not None and comment.section_key == "gamma"
    assert len(await store.list_articles()) == 1


async def test_a_database_locked_by_another_process_delays_but_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    s = await SqliteStore.open(path, busy_timeout_ms=100, give_up_seconds=20)
    try:
        await s.save_article("t", ARTICLE, 1.0)
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock for 1.5 s, 15x busy_timeout

        async def release() -> None:
            await asyncio.sleep(1.5)
            other.execute("COMMIT")

        releaser = asyncio.create_task(release())
        comment, created = await s.add_comment(new("c:1", "written once the lock is gone"))
        await releaser
        other.close()
        assert created and comment.text == "written once the lock is gone"
    finally:
        await s.close()


async def test_a_lock_that_never_ends_fails_after_the_give_up_time(tmp_path: Path) -> None:
    path = tmp_path / "stuck.db"
    s = await SqliteStore.open(path, busy_timeout_ms=50, give_up_seconds=0.5)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            await s.add_comment(new("c:1", "cannot be written"))
    finally:
        other.execute("ROLLBACK")
        other.close()
        await s.close()


async def test_concurrent_writes_share_commits_and_fail_alone(sqlite_store: SqliteStore) -> None:
    store = sqlite_store
    groups_before = store.db.groups

    def broken(db: sqlite3.Connection) -> None:
        db.execute("INSERT INTO comments(chat_key) VALUES ('only a chat key')")  # violates NOT NULL

    writes = [store.add_comment(new("c:g", f"n{i}")) for i in range(40)]
    results = await asyncio.gather(*writes[:20], store.db.transaction(broken), *writes[20:],
                                   return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    assert len(failures) == 1 and isinstance(failures[0], sqlite3.IntegrityError)
    assert sorted(c.number for c, _ in (r for r in results if not isinstance(r, BaseException))) == list(
        range(1, 41))
    assert store.db.groups - groups_before < 40  # shared commits, not one per write


async def test_reading_state_follows_this_process_at_once_and_another_within_its_freshness(
        database: Path | str) -> None:
    bot = await open_store(database, chat_article_seconds=0.3)
    cli = await open_store(database)  # another process's connection, like `articlebot import`
    try:
        first = await bot.save_article("t", ARTICLE, 1.0)
        article, position = await bot.reading_state("c:1", "u:1")
        assert article is not None and article.id == first.id and position is None
        # this process's own writes are seen by the very next read
        await bot.set_position("c:1", "u:1", Position(first.id, "gamma"))
        assert (await bot.reading_state("c:1", "u:1"))[1] == Position(first.id, "gamma")
        other = await bot.save_article("u", ARTICLE, 2.0)
        assert (await bot.reading_state("c:1", "u:1"))[0].id == other.id  # type: ignore[union-attr]
        await bot.set_chat_article("c:1", first.id)
        assert (await bot.reading_state("c:1", "u:1"))[0].id == first.id  # type: ignore[union-attr]
        # another process's import of a newer article reaches a chat without a choice within the freshness
        assert (await bot.reading_state("c:2", "u:1"))[0].id == other.id  # type: ignore[union-attr]
        newest = await cli.save_article("v", ARTICLE, 3.0)
        await asyncio.sleep(0.35)
        assert (await bot.reading_state("c:2", "u:1"))[0].id == newest.id  # type: ignore[union-attr]
        assert (await bot.reading_state("c:1", "u:1"))[0].id == first.id  # type: ignore[union-attr]  # its choice
    finally:
        await cli.close()
        await bot.close()


async def test_positions_and_anchors_are_read_at_once_and_committed_together_shortly_after(
        database: Path | str) -> None:
    path = database
    s = await open_store(path)
    saves = 0
    save = s.behind.save

    async def counted(*batch: Any) -> None:
        nonlocal saves
        saves += 1
        await save(*batch)

    s.behind.save = counted
    try:
        saved = await s.save_article("t", ARTICLE, 1.0)
        for i in range(30):
            await s.set_position("c:1", f"u:{i}", Position(saved.id, "gamma"))
            await s.save_anchor("c:1", str(1000 + i), Anchor(saved.id, "gamma"))
        # visible to this process before any commit
        assert (await s.reading_state("c:1", "u:3"))[1] == Position(saved.id, "gamma")
        assert await s.anchor("c:1", "1007") == Anchor(saved.id, "gamma")
        for _ in range(100):
            if len(table_rows(path, "SELECT * FROM anchors")) == 30:
                break
            await asyncio.sleep(0.02)
        assert len(table_rows(path, "SELECT * FROM anchors")) == 30
        assert len(table_rows(path, "SELECT * FROM positions WHERE section_key = 'gamma'")) == 30
        assert saves <= 2  # sixty writes, one or two transactions
    finally:
        await s.close()


async def test_trailing_writes_survive_a_lock_and_are_committed_at_close(tmp_path: Path) -> None:
    path = tmp_path / "behind-locked.db"
    s = await SqliteStore.open(path, busy_timeout_ms=20, give_up_seconds=0.1)
    other = sqlite3.connect(path, isolation_level=None)
    try:
        saved = await s.save_article("t", ARTICLE, 1.0)
        other.execute("BEGIN IMMEDIATE")  # the first flushes fail: the writes must stay pending, not vanish
        await s.save_anchor("c:1", "77", Anchor(saved.id, None, 5))
        await s.set_position("c:1", "u:1", Position(saved.id, "gamma"))
        await asyncio.sleep(0.5)
        assert await s.anchor("c:1", "77") == Anchor(saved.id, None, 5)
        other.execute("ROLLBACK")
    finally:
        other.close()
        await s.close()
    assert table_rows(path, "SELECT message_id, comment_number FROM anchors") == [("77", 5)]
    assert table_rows(path, "SELECT user_key, section_key FROM positions") == [("u:1", "gamma")]
