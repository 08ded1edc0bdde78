"""Import by link: the real fetcher against a real web server on 127.0.0.1, through the core and the
command line. What a member's link may make the bot open is the point of most of these tests."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

from adapters.web.guard import GuardedResolver, refused_reason
from adapters.web.pages import PageFetcher
from bot.errors import ImportRefused
from tests.support import Harness
from tests.test_importer import ARTICLE_HTML

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 300_000

CHINESE = "<h1>移民的生活</h1>" + "".join(
    f"<h2>{heading}</h2>" + "<p>很多美国用户来到小红书，和中国用户聊天，讨论房租、工作和每天的生活。"
    "大家都觉得这里的生活成本比想象中低，城市的交通也很方便。</p>" * 3
    for heading in ("生活成本", "城市交通", "社区关系"))
JAPANESE = "<h1>町の暮らし</h1>" + "".join(
    f"<h2>{heading}</h2>" + "<p>多くの人が家賃や仕事、毎日の暮らしについて話しています。"
    "町の交通はとても便利です。</p>" * 3
    for heading in ("家賃と物価", "町の交通"))
RUSSIAN = "<h1>Жизнь в городе</h1>" + "".join(
    f"<h2>{heading}</h2>" + "<p>Многие пользователи обсуждают стоимость жизни, транспорт и работу в больших "
    "городах. Это интересная тема для разговора.</p>" * 3 for heading in ("Стоимость жизни", "Транспорт"))


def page(body: str, encoding: str, *, header: bool, meta: bool) -> web.Response:
    head = f'<meta charset="{encoding}">' if meta else ""
    html = f"<!DOCTYPE html><html><head>{head}<title>t</title></head><body><article>{body}</article></body></html>"
    ctype = f"text/html; charset={encoding}" if header else "text/html"
    return web.Response(body=html.encode(encoding), headers={"Content-Type": ctype})


async def trickle(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/html"})
    await response.prepare(request)
    for _ in range(100):
        await response.write(b"<p>slow</p>")
        await asyncio.sleep(0.1)
    return response


async def endless(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/html"})
    await response.prepare(request)
    with contextlib.suppress(ConnectionError):  # the fetcher hangs up past its limit
        for _ in range(10_000):
            await response.write(b"<p>" + b"x" * 16_000 + b"</p>")
    return response


def routes(app: web.Application) -> None:
    add = app.router.add_get

    def get(path: str, answer: Callable[[web.Request], web.StreamResponse]) -> None:
        async def handler(request: web.Request) -> web.StreamResponse:
            return answer(request)

        add(path, handler)

    def html(text: str, **headers: str) -> web.Response:
        return web.Response(text=text, content_type="text/html", headers=headers)

    def redirect(to: str, status: int = 302) -> web.Response:
        return web.Response(status=status, headers={"Location": to})

    get("/post.html", lambda r: html(ARTICLE_HTML, ETag='"v1"'))
    get("/notes.md", lambda r: web.Response(text="# Notes\n\n## One\n\nFirst part.\n\n## Two\n\n"
                                                               "Second part.\n", content_type="text/markdown"))
    get("/gbk-header", lambda r: page(CHINESE, "gbk", header=True, meta=False))
    get("/gbk-meta", lambda r: page(CHINESE, "gbk", header=False, meta=True))
    get("/gbk-bare", lambda r: page(CHINESE, "gbk", header=False, meta=False))
    get("/sjis", lambda r: page(JAPANESE, "shift_jis", header=True, meta=False))
    get("/cp1251", lambda r: page(RUSSIAN, "windows-1251", header=False, meta=True))
    get("/hop/{n}", lambda r: redirect(f"/hop/{int(r.match_info['n']) + 1}")
                       if int(r.match_info["n"]) < 20 else html(ARTICLE_HTML))
    get("/five", lambda r: redirect("/hop/16", 301))
    get("/to-file", lambda r: redirect("file:///etc/passwd"))
    get("/to-creds", lambda r: redirect(f"http://u:p@{r.host}/post.html"))
    get("/pdf", lambda r: web.Response(body=b"%PDF-1.4 ...", content_type="application/pdf"))
    get("/feed", lambda r: web.Response(text="<rss/>", content_type="application/rss+xml"))
    get("/gone", lambda r: web.Response(status=404, text="no"))
    get("/empty", lambda r: web.Response(body=b"", content_type="text/html"))
    app.router.add_get("/slow", trickle)
    app.router.add_get("/huge", endless)


@pytest.fixture
async def site() -> AsyncIterator[str]:
    app = web.Application()
    routes(app)
    runner = web.AppRunner(app)
    await runner.setup()
    server = web.TCPSite(runner, "127.0.0.1", 0)
    await server.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def page_fetcher(allow_private: bool) -> AsyncIterator[PageFetcher]:
    f = PageFetcher(max_bytes=LIMIT, timeout_seconds=1.5, allow_private=allow_private)
    try:
        yield f
    finally:
        await f.close()


@pytest.fixture
async def fetcher() -> AsyncIterator[PageFetcher]:
    """Allowed to open 127.0.0.1, where the test site runs (IMPORT_ALLOW_PRIVATE=true)."""
    async for f in page_fetcher(allow_private=True):
        yield f


@pytest.fixture
async def guarded() -> AsyncIterator[PageFetcher]:
    """As deployed by default: private addresses refused."""
    async for f in page_fetcher(allow_private=False):
        yield f


async def refusal(fetcher: PageFetcher, url: str) -> str:
    with pytest.raises(ImportRefused) as caught:
        await fetcher.fetch_page(url)
    return str(caught.value)


async def test_html_page_imports_through_the_core_and_names_its_source(
        tmp_path: Path, site: str, fetcher: PageFetcher) -> None:
    h = await Harness.open(tmp_path / "bot.db")
    h.core.services.pages = fetcher
    h.admin("boss")
    try:
        answer = await h.say("boss", f"/import {site}/post.html street")
        assert "as street with" in answer and f"From {site}/post.html" in answer
        assert "this chat now reads it" in answer
        sections = await h.say("ann", "/sections")
        assert "Cost of Living" not in sections  # the chat now reads the imported page, not the demo
        assert "Only admins can import" in await h.say("ann", f"/import {site}/post.html")
    finally:
        await h.close()


async def test_a_refused_link_stores_nothing_and_says_why(tmp_path: Path, site: str, guarded: PageFetcher) -> None:
    h = await Harness.open(tmp_path / "bot.db")
    h.core.services.pages = guarded
    h.admin("boss")
    try:
        before = await h.store.list_articles()
        answer = await h.say("boss", f"/import {site}/post.html")
        assert "loopback address" in answer and "public web addresses" in answer
        assert await h.store.list_articles() == before
    finally:
        await h.close()


async def test_markdown_and_redirects_up_to_five(site: str, fetcher: PageFetcher) -> None:
    md = await fetcher.fetch_page(f"{site}/notes.md")
    assert md.kind == "markdown" and "## Two" in md.text
    ok = await fetcher.fetch_page(f"{site}/five")  # 301 then /hop/16..20: five redirects in all
    assert ok.url.endswith("/hop/20") and ok.kind == "html"
    assert "more than 5 times" in await refusal(fetcher, f"{site}/hop/1")


@pytest.mark.parametrize("path, words", [
    ("/to-file", "http:// or https://"),
    ("/to-creds", "user name or password"),
    ("/pdf", "application/pdf, not an article"),
    ("/feed", "is a feed"),
    ("/gone", "answered 404"),
    ("/empty", "empty"),
])
async def test_each_refusal_says_what_was_wrong(site: str, fetcher: PageFetcher, path: str, words: str) -> None:
    assert words in await refusal(fetcher, site + path)


async def test_a_page_that_trickles_hits_the_total_timeout(site: str, fetcher: PageFetcher) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert "longer than 1.5 seconds" in await refusal(fetcher, f"{site}/slow")
    assert loop.time() - started < 5


async def test_a_huge_page_is_cut_off_at_the_limit(site: str, fetcher: PageFetcher) -> None:
    assert "larger than the limit" in await refusal(fetcher, f"{site}/huge")


@pytest.mark.parametrize("path, expected", [
    ("/gbk-header", "生活成本"), ("/gbk-meta", "生活成本"), ("/gbk-bare", "生活成本"),
    ("/sjis", "家賃と物価"), ("/cp1251", "Стоимость жизни"),
])
async def test_charset_from_header_meta_or_detection(site: str, fetcher: PageFetcher, path: str,
                                                     expected: str) -> None:
    got = await fetcher.fetch_page(site + path)
    assert expected in got.text


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9/", "http://localhost:9/", "http://[::1]:9/", "http://[::ffff:127.0.0.1]:9/",
    "http://10.1.2.3/", "http://169.254.169.254/latest/meta-data/", "http://0.0.0.0:9/",
])
async def test_private_addresses_are_refused_before_connecting(guarded: PageFetcher, url: str) -> None:
    assert "public web addresses" in await refusal(guarded, url)


@pytest.mark.parametrize("address, reason", [
    ("8.8.8.8", None), ("2001:4860:4860::8888", None),
    ("127.0.0.5", "loopback"), ("::1", "loopback"), ("10.0.0.1", "private"), ("192.168.1.1", "private"),
    ("172.16.5.4", "private"), ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
    ("224.0.0.1", "multicast"), ("ff02::1", "multicast"), ("100.64.0.1", "reserved"), ("240.0.0.1", "reserved"),
    ("::ffff:10.0.0.1", "private"), ("2002:7f00:1::", "loopback"), ("fc00::1", "private"),
])
def test_address_policy(address: str, reason: str | None) -> None:
    got = refused_reason(ipaddress.ip_address(address))
    assert (got is None) if reason is None else (got is not None and reason in got)


async def test_command_line_import_by_link(tmp_path: Path, site: str) -> None:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": "", "DISCORD_BOT_TOKEN": "", "IMPORT_ALLOW_PRIVATE": "true"}

    def run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "articlebot", "import", *args, "--db", str(tmp_path / "a.db")],
                              capture_output=True, text=True, cwd=ROOT, env={**env, **extra}, timeout=60)

    # the site is served by this test's event loop, so each command waits in a thread beside it
    ok = await asyncio.to_thread(run, f"{site}/gbk-header", "--slug", "cn")
    assert ok.returncode == 0, ok.stderr
    assert "as cn" in ok.stdout and "生活成本" in ok.stdout
    refused = await asyncio.to_thread(run, f"{site}/post.html", IMPORT_ALLOW_PRIVATE="false")
    assert refused.returncode == 2 and "Not imported:" in refused.stderr and "loopback" in refused.stderr


async def test_refresh_asks_the_site_and_updates_in_place(tmp_path: Path) -> None:
    version = {"n": 1}

    def live_page() -> str:
        sections = ["<h2>Rent</h2><p>Rent is cheap here, people say.</p>"]
        sections.append("<h2>Transit</h2><p>The metro runs all night.</p>" if version["n"] == 1
                        else "<h2>Schools</h2><p>Schools are new.</p>")
        return f"<html><body><article><h1>City life v{version['n']}</h1>{''.join(sections)}</article></body></html>"

    async def live(request: web.Request) -> web.Response:
        etag = f'"v{version["n"]}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(text=live_page(), content_type="text/html", headers={"ETag": etag})

    app = web.Application()
    app.router.add_get("/live", live)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/live"
    fetcher = PageFetcher(max_bytes=LIMIT, timeout_seconds=5, allow_private=True)
    h = await Harness.open(tmp_path / "bot.db")
    h.core.services.pages = fetcher
    h.admin("boss")
    try:
        assert "City life v1" in await h.say("boss", f"/import {url} city")
        assert f"Source: {url}" in await h.say("ann", "/article")
        await h.say("ann", "/section 2")
        assert "Saved as #1" in await h.say("ann", "/comment night buses too")
        assert "is up to date" in await h.say("boss", "/refresh")  # 304: nothing parsed, nothing changed
        version["n"] = 2
        refreshed = await h.say("boss", "/refresh")
        assert "Refreshed “City life v2”" in refreshed and "no longer in the article are kept: transit" in refreshed
        assert "Schools" in await h.say("ann", "/sections")
        assert "Only admins can" in await h.say("ann", "/refresh")
        assert "refresh" in await h.say("boss", "/modlog")
    finally:
        await h.close()
        await fetcher.close()
        await runner.cleanup()


async def test_refresh_of_an_uploaded_article_says_there_is_no_link(tmp_path: Path, fetcher: PageFetcher) -> None:
    h = await Harness.open(tmp_path / "bot.db")
    h.core.services.pages = fetcher
    h.admin("boss")
    try:
        assert "was not imported from a link" in await h.say("boss", "/refresh")
    finally:
        await h.close()


class NamesResolver(AbstractResolver):
    """A resolver with a fixed table, standing in for DNS: names that resolve where an attacker wants."""

    TABLE = {"intranet.example": ["10.0.0.7"], "sneaky.example": ["93.184.216.34", "192.168.1.9"],
             "mapped.example": ["::ffff:127.0.0.1"], "public.example": ["93.184.216.34"]}

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
                      ) -> list[ResolveResult]:
        if host not in self.TABLE:
            raise OSError(f"no such name {host}")
        return [ResolveResult(hostname=host, host=address, port=port, family=socket.AF_INET6 if ":" in address
                              else socket.AF_INET, proto=0, flags=0) for address in self.TABLE[host]]

    async def close(self) -> None:
        return None


@pytest.mark.parametrize("name, refused", [("intranet.example", "private network"),
                                           ("sneaky.example", "private network"),
                                           ("mapped.example", "loopback"), ("public.example", None),
                                           ("nowhere.example", "could not find the site")])
async def test_names_that_resolve_to_private_addresses_are_refused(name: str, refused: str | None) -> None:
    guard = GuardedResolver(allow_private=False)
    guard.inner = NamesResolver()
    if refused is None:
        assert [r["host"] for r in await guard.resolve(name, 80)] == ["93.184.216.34"]
        return
    with pytest.raises(ImportRefused) as caught:
        await guard.resolve(name, 80)
    assert refused in str(caught.value)
