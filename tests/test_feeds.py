"""Following feeds: /follow skips the backlog, each new post is imported and announced once, failures back
off, a throttling site is waited for, two pollers never announce one post twice; on both stores, against a real
web site on 127.0.0.1 through the guarded fetcher."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.web.feeds import FeedFetcher
from adapters.web.pages import PageFetcher
from bot.core import Core
from bot.feeds import FeedPoller
from bot.ports import PlatformUnreachable
from bot.types import Reply, Sent, plain_text
from tests.fakes.site import Site
from tests.fakes.telegram_html import check_html
from tests.fakes.telegram_server import FakeTelegram
from tests.support import Harness
from tests.telegram_process import BotProcess, bot_env

INTERVAL = 60.0


class Collected:
    """An Announcer that keeps what it is asked to say."""

    def __init__(self) -> None:
        self.said: list[tuple[str, Reply]] = []

    async def announce(self, chat_key: str, reply: Reply) -> Sent | None:
        self.said.append((chat_key, reply))
        return Sent(chat_key, str(len(self.said)))

    def texts(self) -> list[str]:
        return ["\n".join(plain_text(b) for b in reply.blocks) for _, reply in self.said]


class Unreachable(Collected):
    """Collected, but while `down` no chat can be reached (the platform is out)."""

    def __init__(self) -> None:
        super().__init__()
        self.down = False

    async def announce(self, chat_key: str, reply: Reply) -> Sent | None:
        if self.down:
            raise PlatformUnreachable(chat_key)
        return await super().announce(chat_key, reply)


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    async with Site() as running:
        running.add("first", "The first loaf")
        running.add("second", "Second helpings")
        yield running


@pytest.fixture
async def world(harness: Harness) -> AsyncIterator[tuple[Harness, Collected, FeedPoller]]:
    pages = PageFetcher(max_bytes=2_000_000, timeout_seconds=10, allow_private=True)  # the site is on loopback
    harness.core = Core(harness.store, owners=frozenset({"test:owner"}), clock=harness.clock, admin_cache_seconds=0,
                        pages=pages, feeds=FeedFetcher(pages), feed_poll_seconds=INTERVAL)
    harness.admin("boss")
    heard = Collected()
    try:
        yield harness, heard, FeedPoller(harness.core.services, heard, holder="test-poller")
    finally:
        await pages.close()


async def test_follow_skips_the_backlog_and_each_new_post_is_announced_once(world, site: Site) -> None:  # type: ignore[no-untyped-def]
    h, heard, poller = world
    assert "Only admins can follow a feed." in await h.say("ann", f"/follow {site.url}/feed.xml")
    followed = await h.say("boss", f"/follow {site.url}/feed.xml")
    assert "Following “Bakery news”" in followed and "2 earlier posts skipped" in followed
    assert "already follows" in await h.say("boss", f"/follow {site.url}/feed.xml")
    assert await poller.poll_due() == 0  # not due yet
    h.clock.advance(INTERVAL + 1)
    asked = site.requests["/feed.xml"]
    assert await poller.poll_due() == 0 and site.requests["/feed.xml"] == asked + 1  # nothing new: a 304
    site.add("third", "A third rising", full=False)
    h.clock.advance(INTERVAL + 1)
    assert await poller.poll_due() == 1
    said = heard.texts()[-1]
    assert "New in “Bakery news”" in said and "A third rising" in said and "/article third" in said
    assert heard.said[-1][0] == "test:group"
    h.clock.advance(INTERVAL + 1)
    assert await poller.poll_due() == 0  # never twice
    assert "A third rising" in await h.say("ann", "/articles")
    listed = await h.say("ann", "/feeds")
    assert "Bakery news" in listed and f"{site.url}/feed.xml" in listed


async def test_a_post_no_room_could_be_reached_for_is_announced_once_the_platform_is_back(world, site: Site) -> None:  # type: ignore[no-untyped-def]
    h, heard, _poller = world
    flaky = Unreachable()
    poller = FeedPoller(h.core.services, flaky, holder="test-poller")
    await h.say("boss", f"/follow {site.url}/feed.xml")
    site.add("third", "A third rising", full=False)
    flaky.down = True
    h.clock.advance(INTERVAL + 1)
    assert await poller.poll_due() == 0 and flaky.said == []
    flaky.down = False
    h.clock.advance(INTERVAL + 1)
    assert await poller.poll_due() == 1  # the feed is read whole again (no 304 hides the post)
    assert "A third rising" in flaky.texts()[-1]
    h.clock.advance(INTERVAL + 1)
    assert await poller.poll_due() == 0 and len(flaky.said) == 1  # and never twice
    assert (await h.say("ann", "/articles")).count("A third rising") == 1  # imported again, not twice


async def test_a_site_page_names_its_feed_and_atom_and_json_feeds_work(world, site: Site) -> None:  # type: ignore[no-untyped-def]
    h, heard, poller = world
    for chat in ("test:a", "test:b", "test:c"):
        h.admin("boss", chat)
    assert "Following “Bakery news”" in await h.say("boss", f"/follow {site.url}/blog", chat="test:a")
    assert f"{site.url}/feed.xml" in await h.say("ann", "/feeds", chat="test:a")
    assert "Bakery news (Atom)" in await h.say("boss", f"/follow {site.url}/atom.xml", chat="test:b")
    assert "Bakery news (JSON)" in await h.say("boss", f"/follow {site.url}/feed.json", chat="test:c")
    site.add("fourth", "Fourth batch")
    h.clock.advance(INTERVAL + 1)
    assert await poller.poll_due() == 3
    assert sorted(chat for chat, _ in heard.said) == ["test:a", "test:b", "test:c"]


async def test_switch_makes_each_new_post_the_chats_article_with_its_buttons(world, site: Site) -> None:  # type: ignore[no-untyped-def]
    h, heard, poller = world
    await h.say("boss", f"/follow {site.url}/feed.xml switch")
    site.add("fifth", "Fifth and final", full=True)  # the feed carries the whole post: no page fetch
    h.clock.advance(INTERVAL + 1)
    assert await poller.poll_due() == 1
    _chat, reply = heard.said[-1]
    assert reply.anchor is not None and reply.buttons
    assert "/posts/fifth" not in site.requests
    shown = await h.say("ann", "/sections")
    assert "Fifth and final" in shown and "Why Fifth and final matters" in shown


async def test_failures_back_off_and_a_throttling_site_is_waited_for(world, site: Site) -> None:  # type: ignore[no-untyped-def]
    h, heard, poller = world
    await h.say("boss", f"/follow {site.url}/feed.xml")
    site.status = 500
    h.clock.advance(INTERVAL + 1)
    await poller.poll_due()
    (follow,) = await h.store.chat_feeds("test:group")
    assert follow.failures == 1 and follow.next_poll >= h.clock.now() + 2 * INTERVAL
    assert "the last 1 fetch failed" in await h.say("ann", "/feeds")
    site.status = 429
    h.clock.t = follow.next_poll + 1
    await poller.poll_due()
    (follow,) = await h.store.chat_feeds("test:group")
    assert follow.failures == 2 and follow.next_poll >= h.clock.now() + 120
    site.status = 200
    site.add("sixth", "Back in business")
    h.clock.t = follow.next_poll + 1
    assert await poller.poll_due() == 1
    (follow,) = await h.store.chat_feeds("test:group")
    assert follow.failures == 0


async def test_two_pollers_at_once_announce_each_post_once(world, site: Site) -> None:  # type: ignore[no-untyped-def]
    h, heard, poller = world
    for chat in ("test:a", "test:b", "test:c", "test:d"):
        h.admin("boss", chat)
        await h.say("boss", f"/follow {site.url}/feed.xml", chat=chat)
    site.add("seventh", "Seven loaves")
    h.clock.advance(INTERVAL + 1)
    other = FeedPoller(h.core.services, heard, holder="another-process")
    counts = await asyncio.gather(poller.poll_due(), other.poll_due(), poller.poll_due())
    assert sum(counts) == 4 and sorted(chat for chat, _ in heard.said) == ["test:a", "test:b", "test:c", "test:d"]


async def test_refusals_are_plain_and_store_nothing(harness: Harness, site: Site) -> None:
    pages = PageFetcher(max_bytes=2_000_000, timeout_seconds=10, allow_private=False)
    try:
        harness.core = Core(harness.store, clock=harness.clock, admin_cache_seconds=0, pages=pages,
                            feeds=FeedFetcher(pages))
        harness.admin("boss")
        assert "only open public web addresses" in await harness.say("boss", f"/follow {site.url}/feed.xml")
        assert "Which feed?" in await harness.say("boss", "/follow")
        await pages.close()
        open_pages = PageFetcher(max_bytes=2_000_000, timeout_seconds=10, allow_private=True)
        harness.core = Core(harness.store, clock=harness.clock, admin_cache_seconds=0, pages=open_pages,
                            feeds=FeedFetcher(open_pages))
        try:
            assert "not a feed and names none" in await harness.say("boss", f"/follow {site.url}/posts/first")
        finally:
            await open_pages.close()
        assert await harness.store.chat_feeds("test:group") == []
    finally:
        await pages.close()


async def test_a_followed_feeds_new_post_appears_in_the_telegram_group_by_itself(tmp_path: Path, site: Site) -> None:
    token, group, boss = "987654:FEED-token", -100777, 103
    async with FakeTelegram(token=token) as fake:
        fake.set_admins(group, [boss])
        env = bot_env(fake.url, token, tmp_path / "run.db", FEED_POLL_SECONDS="1", IMPORT_ALLOW_PRIVATE="true")
        bot = BotProcess(env, tmp_path / "bot.log")
        asked = fake.push_message(group, boss, f"/follow {site.url}/feed.xml")
        await bot.start()
        try:
            await fake.wait_for(lambda c: c.method == "sendMessage" and "Following" in c.params.get("text", "")
                                and (c.params.get("reply_parameters") or {}).get("message_id")
                                == asked["message_id"], 60)
            site.add("eighth", "The eighth loaf")
            announced = await fake.wait_for(lambda c: c.method == "sendMessage" and "The eighth loaf"
                                            in c.params.get("text", ""), 60)
            assert announced.params["chat_id"] == group and "reply_parameters" not in announced.params
            assert "New in “Bakery news”" in check_html(announced.params["text"])
        finally:
            assert await bot.terminate() == 0


async def test_a_new_post_is_announced_in_every_room_sharing_the_discussion(world, site: Site) -> None:  # type: ignore[no-untyped-def]
    from tests.test_rooms import HOME, OTHER, linked

    h, heard, poller = world
    await linked(h)
    await h.say("boss", f"/follow {site.url}/feed.xml", HOME)
    site.add("third", "A third rising", full=False)
    h.clock.advance(INTERVAL + 1)
    assert await poller.poll_due() == 1  # one post
    assert sorted(chat for chat, _reply in heard.said) == sorted([HOME, OTHER])  # told in both rooms
    assert all("A third rising" in text for text in heard.texts())
