"""The web page of a room's discussion: /web and its address, what the server sends (escaped, strict headers,
no platform ids), the live event stream, and the page in a real headless Chromium."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from adapters.webpage.server import TOKEN_CHECK_SECONDS, WebPageServer
from tests.support import Harness
from tests.web_browser import DESKTOP, PHONE, browser, screenshot

HOSTILE = "<script>window.pwned = 1</script><img src=x onerror=\"window.pwned = 2\"> & \"quotes\""


@pytest.fixture
async def served(harness: Harness) -> AsyncIterator[tuple[Harness, WebPageServer]]:
    server = WebPageServer(harness.store, listen="127.0.0.1", port=0, poll_seconds=0.1)
    await server.start()
    harness.core.services.web_base_url = f"http://127.0.0.1:{server.bound_port}"
    harness.admin("boss")
    try:
        yield harness, server
    finally:
        await server.stop()


async def web_link(h: Harness, chat: str = "test:group") -> str:
    found = re.search(r"http://\S+", await h.say("boss", "/web", chat))
    assert found is not None
    return found[0]


async def get(url: str) -> tuple[int, dict[str, str], str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, dict(response.headers), await response.text()


class Stream:
    """A reader of the page's server-sent events, as a browser's EventSource reads them."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self.response = response

    async def next_event(self, within: float) -> tuple[str, object]:
        event, data = "message", ""
        async with asyncio.timeout(within):
            while True:
                line = (await self.response.content.readline()).decode().rstrip("\n")
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    data = line[6:]
                elif not line and data:
                    return event, json.loads(data)


async def test_web_gives_admins_an_address_that_off_revokes(served: tuple[Harness, WebPageServer]) -> None:
    h, _server = served
    assert "Only admins" in await h.say("ann", "/web")
    link = await web_link(h)
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/d/[A-Za-z0-9_-]{24}", link)
    assert await web_link(h) == link  # the same address until revoked
    status, _headers, html = await get(link)
    assert status == 200 and "<h1>" in html
    assert "no longer works" in await h.say("boss", "/web off")
    assert (await get(link))[0] == 404
    assert "has no web page" in await h.say("boss", "/web off")
    renewed = await web_link(h)
    assert renewed != link and (await get(renewed))[0] == 200


async def test_without_web_port_web_says_so(harness: Harness) -> None:
    harness.admin("boss")
    assert "serves no web pages" in await harness.say("boss", "/web")


async def test_unknown_addresses_are_not_found_and_pages_send_strict_headers(
        served: tuple[Harness, WebPageServer]) -> None:
    h, server = served
    base = f"http://127.0.0.1:{server.bound_port}"
    for path in ("/d/nonsense", "/d/" + "A" * 24, "/d/%00", "/", "/static/../server.py", "/static/nope.js"):
        assert (await get(base + path))[0] == 404, path
    link = await web_link(h)
    status, headers, _html = await get(link)
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "http" not in csp  # nothing inline, nothing from another host
    assert headers["X-Frame-Options"] == "DENY" and headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"
    assert "in a frame" in await h.say("boss", "/web embed on")
    _status, headers, _html = await get(link)
    assert "frame-ancestors *" in headers["Content-Security-Policy"] and "X-Frame-Options" not in headers
    await h.say("boss", "/web embed off")
    assert (await get(link))[1]["X-Frame-Options"] == "DENY"


async def test_the_page_shows_sections_threads_and_escapes_everything(served: tuple[Harness, WebPageServer]) -> None:
    h, _server = served
    await h.say("ann", "/section 2")
    assert "#1" in await h.say("ann", "/comment the second section is right")
    assert "#2" in await h.say("bob", "/reply #1 I agree with Ann")
    assert "#3" in await h.say("eve", f"/comment {HOSTILE}")
    await h.say("boss", "/remove #3 testing")
    assert "#4" in await h.say("eve", f"/comment {HOSTILE}")
    _status, _headers, html = await get(await web_link(h))
    article = (await h.store.reading_state("test:group", "test:ann"))[0]
    assert article is not None
    assert all(section.heading.replace("'", "&#39;") in html for section in article.sections)
    assert 'id="c1"' in html and 'id="c2"' in html and 'id="c3"' not in html  # a removed comment is not shown
    # the reply is inside #1's list of replies
    assert re.search(r'id="c1".*?<ul class="replies"><li class="comment" id="c2"', html, re.S)
    assert "<script>window" not in html and "<img src=x" not in html
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;&lt;img src=x onerror=" in html
    assert "test:" not in html  # no platform ids: names only
    assert ">Ann<" in html


async def test_the_event_stream_brings_new_comments_and_removals_within_a_second(
        served: tuple[Harness, WebPageServer]) -> None:
    h, _server = served
    link = await web_link(h)
    _status, _headers, html = await get(link)
    since = re.search(r'data-since="([^"]+)"', html)
    assert since is not None
    async with aiohttp.ClientSession() as session, session.get(f"{link}/events?since={since[1]}") as response:
        assert response.headers["Content-Type"] == "text/event-stream"
        stream = Stream(response)
        await asyncio.sleep(0.2)
        await h.say("ann", "/comment seen live")
        event, data = await stream.next_event(within=1.0)
        assert event == "change"
        assert isinstance(data, list) and data[0]["text"] == "seen live" and data[0]["author"] == "Ann"
        assert "test:" not in json.dumps(data)
        await h.say("boss", "/remove #1")
        event, data = await stream.next_event(within=1.0)
        assert event == "change" and isinstance(data, list) and data[0] == {"n": 1, "hide": True, "v": data[0]["v"]}
        await h.say("boss", "/web off")
        event, _data = await stream.next_event(within=20.0)  # told at the next keep-alive check
        assert event == "gone"


async def test_many_readers_of_one_address_share_its_checks_and_all_hear_it_was_revoked(harness: Harness) -> None:
    server = WebPageServer(harness.store, listen="127.0.0.1", port=0, poll_seconds=0.1, keepalive_seconds=0.1)
    await server.start()
    harness.core.services.web_base_url = f"http://127.0.0.1:{server.bound_port}"
    harness.admin("boss")
    lookups: list[str] = []
    look_up = harness.store.web_page_by_token

    async def counted(token: str) -> Any:
        lookups.append(token)
        return await look_up(token)

    try:
        link = await web_link(harness)
        harness.store.web_page_by_token = counted  # type: ignore[method-assign]
        async with aiohttp.ClientSession() as session:
            responses = [await session.get(f"{link}/events") for _ in range(5)]
            await asyncio.sleep(2.0)  # each stream checks every 0.3 s: 30-odd checks
            assert len(lookups) <= 5 + 1  # one look-up each to open, then one for them all
            await harness.say("boss", "/web off")
            for response in responses:  # told within one check after the shared answer expires
                event, _data = await Stream(response).next_event(within=TOKEN_CHECK_SECONDS + 2)
                assert event == "gone"
                response.release()
    finally:
        await server.stop()


async def test_a_stream_that_reconnects_gets_what_it_missed(served: tuple[Harness, WebPageServer]) -> None:
    h, _server = served
    link = await web_link(h)
    await h.say("ann", "/comment before the page")
    since = await h.store.latest_change("test:group")
    await h.say("ann", "/comment while the page was away")
    async with aiohttp.ClientSession() as session, session.get(f"{link}/events",
                                                               headers={"Last-Event-ID": repr(since)}) as response:
        _event, data = await Stream(response).next_event(within=2.0)
        assert isinstance(data, list)
        assert "while the page was away" in [c["text"] for c in data]


async def test_in_chromium_comments_arrive_live_replies_nest_and_nothing_hostile_runs(
        served: tuple[Harness, WebPageServer]) -> None:
    h, _server = served
    await h.say("ann", "/section 1")
    await h.say("ann", "/comment a comment from before the page opened")
    link = await web_link(h)
    async with browser() as chromium:
        page = await chromium.new_page(viewport=DESKTOP)
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: dialogs.append(dialog.message))
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        await page.goto(link)
        assert await page.locator("h1").count() == 1
        await page.wait_for_selector("#live.on", timeout=5000)  # the event stream is open
        assert await page.locator("#toc .count").first.text_content() == "1"
        assert "a comment from before" in (await page.locator("#c1 .text").text_content() or "")

        await h.say("bob", "/reply #1 a reply written while the page is open")
        await h.say("eve", "/section 1")
        await h.say("eve", f"/comment {HOSTILE}")
        await page.wait_for_selector("#c1 .replies #c2", timeout=1000)  # nested under #1, within a second
        await page.wait_for_selector("#c3", timeout=1000)
        assert await page.locator("#c3 .text").text_content() == HOSTILE  # shown as text
        assert await page.evaluate("window.pwned") is None and dialogs == []
        assert await page.locator(".comment img, .comment script").count() == 0
        assert await page.locator("#toc .count").first.text_content() == "3"
        assert page.url == link  # never reloaded

        await h.say("boss", "/remove #1 off topic")
        await page.wait_for_selector("#c1", state="detached", timeout=1000)
        assert await page.locator("#c2").count() == 1  # its reply stays
        assert await page.locator("#toc .count").first.text_content() == "2"
        await screenshot(page, "web-desktop")
        await page.set_viewport_size(PHONE)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"]  # nothing wider than a phone
        await screenshot(page, "web-phone")
        assert errors == []

        dark = await chromium.new_page(viewport=PHONE, color_scheme="dark")
        await dark.goto(link)
        background = await dark.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(21, 22, 26)"
        await screenshot(dark, "web-phone-dark")


@pytest.fixture
async def paged(harness: Harness) -> AsyncIterator[tuple[Harness, WebPageServer]]:
    """A page server that shows three comments a page, and a discussion of five comments in section 1."""
    server = WebPageServer(harness.store, listen="127.0.0.1", port=0, poll_seconds=0.1, page_size=3)
    await server.start()
    harness.core.services.web_base_url = f"http://127.0.0.1:{server.bound_port}"
    harness.admin("boss")
    await harness.say("ann", "/section 1")
    for n in range(1, 6):
        assert f"#{n}" in await harness.say("ann", f"/comment comment number {n}")
    try:
        yield harness, server
    finally:
        await server.stop()


def numbers_on(html: str) -> list[int]:
    return sorted(int(n) for n in re.findall(r'<li class="comment" id="c(\d+)"', html))


async def test_a_long_discussion_is_paged_newest_first_with_the_whole_counts(
        paged: tuple[Harness, WebPageServer]) -> None:
    h, _server = paged
    link = await web_link(h)
    _status, _headers, html = await get(link)
    assert numbers_on(html) == [3, 4, 5]  # the newest page
    assert 'data-for="intro">5<' not in html and re.search(r'class="count" data-for="[^"]+" [^>]*>5<', html)
    assert "Comments #3 to #5 are on this page." in html
    assert 'href="?before=3">Earlier comments<' in html and "Latest comments" not in html
    _status, _headers, earlier = await get(f"{link}?before=3")
    assert numbers_on(earlier) == [1, 2]
    assert 'href="?">Latest comments<' in earlier and "Earlier comments" not in earlier
    assert 'data-until="3"' in earlier and re.search(r'class="count" data-for="[^"]+" [^>]*>5<', earlier)
    for junk in ("abc", "-1", "0", "9" * 40, "%F0%9F%91%8D"):  # not a number: the newest page, never an error
        status, _headers, html = await get(f"{link}?before={junk}")
        assert status == 200 and numbers_on(html) == [3, 4, 5]
    await h.say("boss", "/remove #4")
    _status, _headers, html = await get(link)
    assert numbers_on(html) == [2, 3, 5]  # still three visible comments, the newest
    assert re.search(r'class="count" data-for="[^"]+" [^>]*>4<', html)


async def test_in_chromium_a_paged_discussion_counts_what_arrives_and_earlier_pages_stay_put(
        paged: tuple[Harness, WebPageServer]) -> None:
    h, _server = paged
    link = await web_link(h)
    async with browser() as chromium:
        errors: list[str] = []
        newest = await chromium.new_page(viewport=DESKTOP)
        newest.on("pageerror", lambda error: errors.append(str(error)))
        await newest.goto(link)
        earlier = await chromium.new_page(viewport=DESKTOP)
        earlier.on("pageerror", lambda error: errors.append(str(error)))
        await earlier.goto(f"{link}?before=3")
        for page in (newest, earlier):
            await page.wait_for_selector("#live.on", timeout=5000)
            assert await page.locator("#toc .count").first.text_content() == "5"
        await h.say("bob", "/section 1")
        await h.say("bob", "/comment number six, while both pages are open")
        await newest.wait_for_selector("#c6", timeout=1000)
        assert await newest.locator("#toc .count").first.text_content() == "6"
        await h.say("boss", "/remove #1")
        await earlier.wait_for_selector("#c1", state="detached", timeout=1000)
        # an earlier page's counts move with its own comments only
        assert await earlier.locator("#toc .count").first.text_content() == "4"
        assert await earlier.locator("#c6").count() == 0  # newer than the earlier page: not put there
        assert await newest.locator("#toc .count").first.text_content() == "6"  # #1 was not on the newest page
        assert await earlier.locator("li.comment").count() == 1
        await earlier.click("a.latest")
        await earlier.wait_for_selector("#c6", timeout=5000)
        assert errors == []


async def test_a_chinese_chat_gets_a_chinese_page(served: tuple[Harness, WebPageServer]) -> None:
    h, _server = served
    await h.say("boss", "/language chat zh")
    assert "这个讨论的网页" in await h.say("boss", "/web")
    link = await web_link(h)
    _status, _headers, html = await get(link)
    assert '<html lang="zh-Hans">' in html and "关于整篇文章" in html and "还没有评论。" in html
    await h.say("ann", "/comment 中文评论：写得很好 👍")
    async with browser() as chromium:
        page = await chromium.new_page(viewport=PHONE)
        await page.goto(link)
        await page.wait_for_selector("#live.on", timeout=5000)
        assert await page.locator("#live").text_content() == "实时"
        assert "中文评论" in (await page.locator("#c1 .text").text_content() or "")
        await screenshot(page, "web-phone-zh")


async def test_behind_deploy_nginx_conf_a_page_streams_live_from_either_worker(tmp_path: Path) -> None:
    """deploy/nginx.conf in front of two page servers on one store (as two workers would be): the page and its
    event stream come through nginx over TLS, each new comment within a second (nginx buffers nothing)."""
    from tests.pg_cluster import free_port
    from tests.test_deploy_nginx import certificate, nginx_config, nginx_or_skip

    nginx = nginx_or_skip()
    certificate(tmp_path)
    h = await Harness.open(tmp_path / "web.db")
    servers = [WebPageServer(h.store, listen="127.0.0.1", port=0, poll_seconds=0.1) for _ in range(2)]
    for server in servers:
        await server.start()
    port = free_port()
    conf = nginx_config(tmp_path, port, [free_port() for _ in range(3)],
                        (servers[0].bound_port or 0, servers[1].bound_port or 0))
    proxy = await asyncio.create_subprocess_exec(nginx, "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;",
                                                 stdin=asyncio.subprocess.DEVNULL)
    h.core.services.web_base_url = f"https://127.0.0.1:{port}"
    h.admin("boss")
    try:
        link = re.search(r"https://\S+", await h.say("boss", "/web"))
        assert link is not None
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=False)) as session:
            for _attempt in range(50):  # nginx starting
                with contextlib.suppress(aiohttp.ClientConnectionError):
                    async with session.get(link[0]) as response:
                        assert response.status == 200 and "<h1>" in await response.text()
                        assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
                        break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("nginx did not answer")
            for _reader in range(4):  # least_conn spreads them over both servers
                async with session.get(f"{link[0]}/events") as response:
                    stream = Stream(response)
                    await asyncio.sleep(0.2)
                    words = f"through nginx {_reader}"
                    await h.say("ann", f"/comment {words}")
                    async with asyncio.timeout(1.0):  # recent changes may come again first: pages show them once
                        while words not in [c.get("text") for c in (await stream.next_event(within=1.0))[1]]:
                            pass
        for _wait in range(160):  # readers gone: nothing is left polling for them (after a keep-alive at most)
            if all(server.live.watchers == {} for server in servers):
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("a page server still watches a discussion nobody reads")
    finally:
        proxy.terminate()
        await proxy.wait()
        for server in servers:
            await server.stop()
        await h.close()


async def test_another_site_can_frame_the_page_only_when_the_room_allows_it(
        served: tuple[Harness, WebPageServer]) -> None:
    """A page of another origin (another port) holds an <iframe> of the room's page: Chromium shows the
    discussion in it after `/web embed on`, and refuses to (frame-ancestors 'none') before and after `off`."""
    from aiohttp import web

    h, _server = served
    await h.say("ann", "/comment seen through a frame")
    link = await web_link(h)

    async def host(request: web.Request) -> web.Response:
        return web.Response(text=f'<!doctype html><title>another site</title><iframe id="f" src="{link}" '
                                 'width="600" height="400"></iframe>', content_type="text/html")

    app = web.Application()
    app.router.add_get("/", host)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    other = f"http://127.0.0.1:{runner.addresses[0][1]}/"

    async def framed_text(page: object) -> str:
        await page.goto(other)  # type: ignore[attr-defined]
        await asyncio.sleep(0.5)
        frame = page.frame_locator("#f")  # type: ignore[attr-defined]
        try:
            return await frame.locator("body").inner_text(timeout=1500)  # type: ignore[no-any-return]
        except Exception:  # the browser refused to show it: there is no document in the frame to read
            return ""

    try:
        async with browser() as chromium:
            page = await chromium.new_page(viewport=DESKTOP)
            assert "seen through a frame" not in await framed_text(page)
            await h.say("boss", "/web embed on")
            assert "seen through a frame" in await framed_text(page)
            await h.say("boss", "/web embed off")
            assert "seen through a frame" not in await framed_text(page)
    finally:
        await runner.cleanup()


async def test_pages_opened_at_once_share_one_watcher_and_leave_none_behind(
        served: tuple[Harness, WebPageServer]) -> None:
    h, server = served
    link = await web_link(h)

    def watching() -> int:
        return sum(1 for t in asyncio.all_tasks() if t.get_name().startswith("articlebot-web-") and not t.done())

    async with aiohttp.ClientSession() as session:
        responses = await asyncio.gather(*(session.get(f"{link}/events") for _ in range(20)))
        await asyncio.gather(*(r.content.readline() for r in responses))  # each stream has begun
        assert len(server.live.watchers) == 1 and watching() == 1
        for response in responses:
            response.close()
    for _wait in range(100):
        if watching() == 0 and not server.live.watchers:
            break
        await asyncio.sleep(0.02)
    assert watching() == 0 and server.live.watchers == {}
