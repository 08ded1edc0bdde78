"""The web pages' HTTP server: `GET /d/<token>` is a room's page, `GET /d/<token>/events` its live changes
(server-sent events), `/static/…` the page's own style and script. Nothing else is served: an unknown or revoked
token is a plain 404, the same for every one, so addresses cannot be probed."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from adapters.webpage.live import POLL_SECONDS, Change, LiveDiscussions
from adapters.webpage.view import change, sections
from adapters.webpage.words import words
from bot.i18n import speaking
from bot.ports import Store
from bot.records import Article, Comment, Status, WebPage

log = logging.getLogger("articlebot.webpage")

HERE = Path(__file__).parent
STATIC = {"page.css": "text/css", "page.js": "text/javascript"}
READER = "web:page"  # whose reading position the page asks for (none: a page shows the chat's article)
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")  # what /web makes (URL-safe base64); anything else is not looked up
# comments on one page, the newest: a big discussion's earlier ones are a link away (`?before=N`, keyset-paged
# on the comment number), so a page stays small however long the discussion grows
PAGE_SIZE = 500
# A comment line this often keeps proxies from closing an idle stream, and finds a reader who left where the
# proxy does not say so (nginx over TLS keeps the upstream open until the next write fails)
KEEPALIVE_SECONDS = 5.0
CHECK_EVERY = 3  # keep-alives: whether the address was revoked, or the room reads something else now
# how long one look-up of an address answers for every page open on it (a thousand readers of one room are one
# query per check, not a thousand)
TOKEN_CHECK_SECONDS = 5.0
# the page runs its own script and style only: nothing inline, nothing from another host
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}")
SAFE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the address is the key to the page: never sent on to a linked site
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def security_headers(embed: bool) -> dict[str, str]:
    headers = {**SAFE_HEADERS, "Content-Security-Policy": CSP.format(ancestors="*" if embed else "'none'")}
    if not embed:
        headers["X-Frame-Options"] = "DENY"
    return headers


def sse(event: str, data: object, event_id: str | None = None) -> bytes:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}\n\n".encode()


def moment(text: str | None) -> float | None:
    try:
        value = float(text) if text else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


def number_in(text: str | None) -> int | None:
    """A comment number from the address, or None (the newest comments) for anything that is not one."""
    return int(text) if text and text.isascii() and text.isdigit() and 0 < len(text) < 19 else None


@dataclass(frozen=True)
class Paging:
    before: int | None  # this page shows comments numbered below this (None: the newest)
    earlier: int | None  # the next page's `before`, when there are earlier comments

    @property
    def partial(self) -> bool:
        return self.before is not None or self.earlier is not None


class WebPageServer:
    def __init__(self, store: Store, *, listen: str, port: int, poll_seconds: float = POLL_SECONDS,
                 page_size: int = PAGE_SIZE, keepalive_seconds: float = KEEPALIVE_SECONDS) -> None:
        self.store = store
        self.page_size = page_size
        self.keepalive_seconds = keepalive_seconds
        self.listen = listen
        self.port = port
        self.bound_port: int | None = None
        self.live = LiveDiscussions(store, poll_seconds=poll_seconds)
        self.templates = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                                            undefined=jinja2.StrictUndefined)
        self._runner: web.AppRunner | None = None
        self._streams: set[asyncio.Task[Any]] = set()
        self._files: dict[str, bytes] = {}
        # token → (when it was asked, the look-up): readers checking at once share one
        self._checked: dict[str, tuple[float, asyncio.Task[WebPage | None]]] = {}

    async def start(self) -> None:
        self._files = {name: (HERE / "static" / name).read_bytes() for name in STATIC}
        app = web.Application()
        app.router.add_get("/d/{token}", self._page)
        app.router.add_get("/d/{token}/events", self._events)
        app.router.add_get("/static/{name}", self._static)
        # no access log: it would hold every page's token. A reader who leaves ends their stream at once (its
        # handler is cancelled), so nothing keeps polling for a page nobody has open
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.listen, self.port)
        await site.start()
        self.bound_port = self._runner.addresses[0][1] if self._runner.addresses else self.port
        log.info("web pages on http://%s:%s/d/…", self.listen, self.bound_port)

    async def stop(self) -> None:
        for task in list(self._streams):
            task.cancel()  # open event streams end now rather than at their next keep-alive
        await self.live.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _find(self, request: web.Request) -> tuple[WebPage, str]:
        token = request.match_info["token"]
        page = await self.store.web_page_by_token(token) if TOKEN.fullmatch(token) else None
        if page is None:
            raise web.HTTPNotFound(text="No such page.", headers=SAFE_HEADERS)
        return page, await self.store.discussion_of(page.room_key)

    async def _page(self, request: web.Request) -> web.Response:
        page, discussion = await self._find(request)
        before = number_in(request.query.get("before"))
        language = (await self.store.languages(discussion, READER))[0]
        since = await self.store.latest_change(discussion)  # read first: what changes after it comes live
        article, _position = await self.store.reading_state(discussion, READER)
        comments: list[Comment] = []
        counts: dict[str, int] = {}
        if article is not None:
            comments = await self.store.comments(discussion, article.id, None, (Status.VISIBLE,), before,
                                                 self.page_size + 1)
            counts = await self.store.section_counts(discussion, article.id)
        paging = Paging(before, comments[self.page_size - 1].number if len(comments) > self.page_size else None)
        with speaking(language) as spoken:
            html = self.render(article, comments[:self.page_size], since, spoken, counts, paging)
        headers = {**security_headers(page.embed), "Cache-Control": "no-store"}
        return web.Response(text=html, content_type="text/html", charset="utf-8", headers=headers)

    def render(self, article: Article | None, comments: list[Comment], since: float, language: str,
               counts: dict[str, int], paging: Paging) -> str:
        shown, whole = sections(article, comments, counts) if article is not None else ([], None)
        source = article.source if article is not None else None
        if source is not None and not source.startswith(("https://", "http://")):
            source = None  # a link to the original only when it is a web address
        numbers = [c.number for c in comments]
        return self.templates.get_template("page.html").render(
            article=article, t=words(), language=language, since=repr(since), sections=shown, whole=whole,
            source=source, paging=paging, first=min(numbers, default=0), last=max(numbers, default=0))

    async def _events(self, request: web.Request) -> web.StreamResponse:
        page, discussion = await self._find(request)
        since = moment(request.headers.get("Last-Event-ID")) or moment(request.query.get("since"))
        if since is None:
            since = await self.store.latest_change(discussion)
        article, _position = await self.store.reading_state(discussion, READER)
        response = web.StreamResponse(headers={
            **security_headers(page.embed), "Content-Type": "text/event-stream", "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",  # nginx passes each event on at once
        })
        await response.prepare(request)
        task = asyncio.current_task()
        if task is not None:
            self._streams.add(task)
        try:
            await self._stream(response, page, discussion, article.id if article else None, since)
        except (ConnectionResetError, asyncio.CancelledError):
            pass  # the reader left, or the server is stopping
        finally:
            if task is not None:
                self._streams.discard(task)
        return response

    async def _stream(self, response: web.StreamResponse, page: WebPage, discussion: str, article_id: int | None,
                      since: float) -> None:
        delivered: dict[int, float] = {}  # comment id → the change this page last got (older ones are dropped)
        cursor = since
        idle = 0
        async with self.live.subscribe(discussion, since) as queue:
            await response.write(b"retry: 2000\n\n")
            while True:
                try:
                    async with asyncio.timeout(self.keepalive_seconds):
                        batch = await queue.get()
                except TimeoutError:
                    idle += 1
                    if idle % CHECK_EVERY == 0 and await self._moved(page, discussion, article_id, response):
                        return
                    await response.write(b": still here\n\n")
                    continue
                if batch is None:
                    return  # too far behind: the browser reconnects and catches up from its last event
                shown = self._news(batch, delivered, article_id)
                if shown:
                    cursor = max(cursor, max(at for _c, at in batch))
                    await response.write(sse("change", shown, repr(cursor)))

    @staticmethod
    def _news(batch: list[Change], delivered: dict[int, float], article_id: int | None) -> list[dict[str, object]]:
        shown = []
        for comment, at in batch:
            if delivered.get(comment.id, -math.inf) >= at or comment.article_id != article_id:
                continue
            delivered[comment.id] = at
            shown.append(change(comment, at))
        return shown

    async def _moved(self, page: WebPage, discussion: str, article_id: int | None,
                     response: web.StreamResponse) -> bool:
        """Tells the page when its address was revoked, or it should load again (another article, another
        discussion); True when the stream should end."""
        now = await self._still(page.token)
        if now is None:
            await response.write(sse("gone", {}))
            return True
        article, _position = await self.store.reading_state(discussion, READER)
        moved = await self.store.discussion_of(page.room_key) != discussion
        if moved or (article.id if article else None) != article_id:
            await response.write(sse("reload", {}))
            return True
        return False

    async def _still(self, token: str) -> WebPage | None:
        """The page an address opens now, looked up at most every TOKEN_CHECK_SECONDS for all its readers."""
        now = asyncio.get_running_loop().time()
        checked = self._checked.get(token)
        if checked is None or now - checked[0] >= TOKEN_CHECK_SECONDS or checked[1].cancelled():
            for stale in [t for t, (at, _task) in self._checked.items() if now - at >= TOKEN_CHECK_SECONDS]:
                del self._checked[stale]
            # a task of its own: a reader who leaves while it runs does not cancel the others' answer
            checked = self._checked[token] = (now, asyncio.ensure_future(self.store.web_page_by_token(token)))
        return await asyncio.shield(checked[1])

    async def _static(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in STATIC:
            raise web.HTTPNotFound(text="No such file.", headers=SAFE_HEADERS)
        headers = {**SAFE_HEADERS, "Content-Type": f"{STATIC[name]}; charset=utf-8", "Cache-Control": "max-age=300"}
        return web.Response(body=self._files[name], headers=headers)
