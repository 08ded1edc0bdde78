"""Two workers on one PostgreSQL database, each with its own store and caches: what one changes, the other
obeys in its very next answer once PostgreSQL has told it (LISTEN/NOTIFY, a millisecond or so); and a worker
whose listening connection is lost trusts none of its caches until it listens again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import psycopg
import pytest

from bot.importer import parse_article
from storage.postgres.store import PostgresStore
from tests.support import Harness

SECOND = b"# Trams\n\n## Night service\n\nThe last tram leaves at one.\n\n## Fares\n\nOne ticket for all.\n"


@pytest.fixture
async def workers(pg_url: str) -> AsyncIterator[tuple[Harness, Harness]]:
    a, b = await Harness.open(pg_url), await Harness.open(pg_url)
    try:
        for worker in (a, b):
            worker.admin("boss")
            assert isinstance(worker.store, PostgresStore)
            await asyncio.wait_for(worker.store.listener.listening.wait(), 10)
        yield a, b
    finally:
        await a.close()
        await b.close()


def listener_of(worker: Harness) -> PostgresStore:
    assert isinstance(worker.store, PostgresStore)
    return worker.store


async def told(worker: Harness, before: int) -> None:
    """Until `worker` has heard another notification than the `before` it had heard."""
    store = listener_of(worker)
    for _ in range(200):
        if store.listener.heard > before:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the other worker was never told")


async def test_an_article_switched_through_one_worker_is_read_by_the_other(workers: tuple[Harness, Harness]) -> None:
    a, b = workers
    await a.store.save_article("trams", parse_article(SECOND, filename="trams.md"), 2.0)
    await a.say("boss", "/article demo")
    assert "Cost of Living" in await b.say("ann", "/sections")  # b keeps the chat's article in memory
    before = listener_of(b).listener.heard
    assert "Trams" in await a.say("boss", "/article trams")
    await told(b, before)
    assert "Night service" in await b.say("ann", "/sections")


async def test_a_reader_moved_through_one_worker_comments_there_through_the_other(
        workers: tuple[Harness, Harness]) -> None:
    a, b = workers
    await b.say("ann", "/section 2")  # b remembers where she is
    before = listener_of(b).listener.heard
    await a.say("ann", "/section 3")
    await told(b, before)  # a's reading positions are written a moment later, and b is told then
    assert "on §3" in await b.say("ann", "/comment from the other worker")


async def test_a_language_chosen_through_one_worker_is_spoken_by_the_other(workers: tuple[Harness, Harness]) -> None:
    a, b = workers
    assert "Contents" in await b.say("ann", "/sections")
    before = listener_of(b).listener.heard
    await a.say("boss", "/language chat zh")
    await told(b, before)
    assert "目录" in await b.say("ann", "/sections")


async def test_a_comment_removed_through_one_worker_is_gone_from_the_other(workers: tuple[Harness, Harness]) -> None:
    a, b = workers
    await b.say("ann", "/comment rude words")
    assert "rude words" in await b.say("cat", "/comments")
    await a.say("boss", "/remove #1 rude")
    assert "rude words" not in await b.say("cat", "/comments")


async def test_a_user_banned_through_one_worker_is_refused_by_the_other(workers: tuple[Harness, Harness]) -> None:
    a, b = workers
    assert "Saved as #1" in await b.say("ann", "/comment first")
    await a.say("boss", "/ban ann")
    assert "banned" in await b.say("ann", "/comment second")


async def test_after_a_lost_listener_nothing_cached_is_trusted(workers: tuple[Harness, Harness], pg_url: str) -> None:
    a, b = workers
    await b.say("ann", "/sections")
    store = listener_of(b)
    assert store.caches_trusted() and store._chat_articles  # noqa: SLF001 - what the test is about
    conn = store.listener._conn  # noqa: SLF001
    assert conn is not None
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (conn.info.backend_pid,))
    for _ in range(200):
        if not store.caches_trusted():
            break
        await asyncio.sleep(0.01)
    assert not store.caches_trusted() and not store._chat_articles  # noqa: SLF001 - dropped, not trusted
    await a.store.save_article("trams", parse_article(SECOND, filename="trams.md"), 2.0)
    await a.say("boss", "/article trams")  # while b hears nothing
    assert "Night service" in await b.say("ann", "/sections")  # read afresh, not from memory
    await asyncio.wait_for(store.listener.listening.wait(), 10)  # listening again on its own
    assert store.caches_trusted()


async def test_a_sections_count_follows_this_workers_comments_at_once_and_the_others_within_a_second(
        workers: tuple[Harness, Harness]) -> None:
    from storage.caches import SECTION_STATE_SECONDS

    a, b = workers
    await a.say("ann", "/section 2")
    assert "💬 0 comments" in await a.say("ann", "/section 2")  # now kept in a's memory
    await a.say("ann", "/comment through a")
    assert "💬 1 comment." in await a.say("ann", "/section 2")  # its own comment: at once
    await b.say("bob", "/section 2")
    await b.say("bob", "/comment through b")
    await asyncio.sleep(SECTION_STATE_SECONDS)
    assert "💬 2 comments" in await a.say("ann", "/section 2")  # another worker's: within the second
    await b.say("boss", "/lock 2")
    await asyncio.sleep(SECTION_STATE_SECONDS)
    assert "Commenting on this section is closed" in await a.say("ann", "/section 2")
