"""A small web site on 127.0.0.1 for the feed tests: posts, a blog page that names its feed, the feed as RSS,
Atom and JSON Feed (answering conditional requests), and switches for failures and throttling."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape

from aiohttp import web

PARAGRAPH = ("In many villages the bakery closed decades ago. Now a new generation of bakers is bringing it back, "
             "one loaf at a time, and the neighbours are lining up before dawn to buy what comes out of the oven.")


@dataclass
class Post:
    slug: str
    title: str
    full: bool = False  # the feed carries the whole post, not just a summary

    def body(self) -> str:
        return (f"<p>{PARAGRAPH}</p><p>{PARAGRAPH}</p><h2>Why {escape(self.title)} matters</h2>"
                f"<p>{PARAGRAPH}</p><h2>What comes next</h2><p>{PARAGRAPH}</p>")


@dataclass
class Site:
    posts: list[Post] = field(default_factory=list)
    status: int = 200  # of the feeds: 500 to fail, 429 to throttle
    retry_after: str = "120"
    requests: dict[str, int] = field(default_factory=dict)
    url: str = ""
    _runner: web.AppRunner | None = None

    def add(self, slug: str, title: str, *, full: bool = False) -> None:
        self.posts.insert(0, Post(slug, title, full))  # newest first, as feeds list them

    def version(self) -> str:
        return f'"v{len(self.posts)}-{"-".join(p.slug for p in self.posts)}"'

    async def __aenter__(self) -> Site:
        app = web.Application()
        app.router.add_get("/blog", self._blog)
        app.router.add_get("/posts/{slug}", self._post)
        app.router.add_get("/feed.xml", self._rss)
        app.router.add_get("/atom.xml", self._atom)
        app.router.add_get("/feed.json", self._json)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _count(self, request: web.Request) -> None:
        self.requests[request.path] = self.requests.get(request.path, 0) + 1

    async def _blog(self, request: web.Request) -> web.Response:
        self._count(request)
        return web.Response(text=f'<html><head><title>Bakery news</title><link rel="alternate" '
                                 f'type="application/rss+xml" href="/feed.xml"></head><body><h1>Bakery news</h1>'
                                 f"<p>{PARAGRAPH}</p></body></html>", content_type="text/html")

    async def _post(self, request: web.Request) -> web.Response:
        self._count(request)
        post = next((p for p in self.posts if p.slug == request.match_info["slug"]), None)
        if post is None:
            raise web.HTTPNotFound()
        return web.Response(text=f"<html><head><title>{escape(post.title)} | Bakery news</title></head><body>"
                                 f"<article><h1>{escape(post.title)}</h1>{post.body()}</article></body></html>",
                            content_type="text/html")

    def _feed_response(self, request: web.Request, text: str, content_type: str) -> web.Response:
        self._count(request)
        if self.status == 429:
            return web.Response(status=429, headers={"Retry-After": self.retry_after})
        if self.status != 200:
            return web.Response(status=self.status)
        if request.headers.get("If-None-Match") == self.version():
            return web.Response(status=304, headers={"ETag": self.version()})
        return web.Response(text=text, content_type=content_type, headers={"ETag": self.version()})

    async def _rss(self, request: web.Request) -> web.Response:
        items = "".join(
            f"<item><title>{escape(p.title)}</title><link>{self.url}/posts/{p.slug}</link><guid>post-{p.slug}</guid>"
            f"<pubDate>{format_datetime(datetime(2025, 3, 3, tzinfo=UTC))}</pubDate>"
            f"<description>{escape(PARAGRAPH[:80])}</description>"
            + (f"<content:encoded><![CDATA[{p.body()}]]></content:encoded>" if p.full else "")
            + "</item>" for p in self.posts)
        return self._feed_response(request, '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
                                            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
                                            f"<title>Bakery news</title><link>{self.url}/blog</link>{items}"
                                            "</channel></rss>", "application/rss+xml")

    async def _atom(self, request: web.Request) -> web.Response:
        entries = "".join(
            f'<entry><title>{escape(p.title)}</title><link href="{self.url}/posts/{p.slug}"/><id>post-{p.slug}</id>'
            "<updated>2025-03-03T00:00:00Z</updated></entry>" for p in self.posts)
        return self._feed_response(request, '<?xml version="1.0" encoding="utf-8"?><feed '
                                            'xmlns="http://www.w3.org/2005/Atom"><title>Bakery news (Atom)</title>'
                                            f"<id>bakery</id><updated>2025-03-03T00:00:00Z</updated>{entries}</feed>",
                                   "application/atom+xml")

    async def _json(self, request: web.Request) -> web.Response:
        feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Bakery news (JSON)",
                "items": [{"id": f"post-{p.slug}", "url": f"{self.url}/posts/{p.slug}", "title": p.title}
                          for p in self.posts]}
        return self._feed_response(request, json.dumps(feed), "application/feed+json")
