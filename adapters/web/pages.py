"""Fetching a web page for import by link, guarded: chat members choose the address, so the bot opens only
public http(s) addresses, follows a few redirects checking each, reads a bounded body within a total time,
and takes only the kinds of document it can import. Every refusal is an ImportRefused in plain words."""

from __future__ import annotations

import asyncio
import email.utils
import time
from urllib.parse import urljoin, urlsplit

import aiohttp

from adapters.web.charset import decode_page
from adapters.web.guard import GuardedResolver, check_literal
from bot.errors import ImportRefused, RetryLater
from bot.records import FetchedPage

MAX_REDIRECTS = 5
CHUNK = 64 * 1024
USER_AGENT = "articlebot/0.1 (+https://github.com/articlebot; fetches a page a chat asked to discuss)"
# the kinds of page an article can be read from, and how the importer should treat each
KINDS = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "text",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
}
FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/feed+json", "application/xml",
                        "text/xml"})


PAGE_ACCEPT = "text/html, text/markdown;q=0.9, text/plain;q=0.8"
FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, "
               "text/xml;q=0.9, text/html;q=0.8")
DEFAULT_RETRY_SECONDS = 600.0
MAX_RETRY_SECONDS = 86_400.0


def retry_after(header: str | None) -> float:
    """Seconds from a Retry-After header (seconds, or an HTTP date); a sane default when it says neither."""
    if header:
        text = header.strip()
        if text.isdigit():
            return min(float(text), MAX_RETRY_SECONDS)
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return DEFAULT_RETRY_SECONDS
        return min(max(0.0, when.timestamp() - time.time()), MAX_RETRY_SECONDS)
    return DEFAULT_RETRY_SECONDS


def check_url(url: str, allow_private: bool) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise ImportRefused("Send a link that starts with http:// or https://.")
    if parts.username is not None or parts.password is not None:
        raise ImportRefused("Links with a user name or password in them are not opened; send the plain address.")
    if not parts.hostname:
        raise ImportRefused("That link has no site name in it.")
    check_literal(parts.hostname, allow_private)
    return url


class PageFetcher:
    """One aiohttp session for every import by link of this process."""

    def __init__(self, *, max_bytes: int, timeout_seconds: float, allow_private: bool) -> None:
        self.max_bytes = max_bytes
        self.timeout_seconds = timeout_seconds
        self.allow_private = allow_private
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(resolver=GuardedResolver(self.allow_private), limit=8)
            # no proxies from the environment: the address checked must be the address connected to
            self._session = aiohttp.ClientSession(connector=connector, trust_env=False,
                                                  headers={"User-Agent": USER_AGENT})
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def fetch_page(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
                         feeds: bool = False) -> FetchedPage:
        """With `feeds`, a feed is taken too (kind "feed", its text decoded): for following one."""
        try:
            return await asyncio.wait_for(self._fetch(url, etag, last_modified, feeds), self.timeout_seconds)
        except TimeoutError as err:
            raise ImportRefused("The site took longer than {seconds} seconds to send the page.",
                                seconds=format(self.timeout_seconds, "g")) \
                from err
        except aiohttp.ClientError as err:
            raise ImportRefused("I could not fetch that page ({error}).", error=type(err).__name__) from err

    async def _fetch(self, url: str, etag: str | None, last_modified: str | None, feeds: bool) -> FetchedPage:
        session = self._open()
        url = check_url(url, self.allow_private)
        headers = {"Accept": FEED_ACCEPT if feeds else PAGE_ACCEPT}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        for _ in range(MAX_REDIRECTS + 1):
            async with session.get(url, headers=headers, allow_redirects=False) as response:
                if response.status in (301, 302, 303, 307, 308):
                    location = response.headers.get("Location")
                    if not location:
                        raise ImportRefused("The site redirected without saying where to.")
                    url = check_url(urljoin(url, location), self.allow_private)
                    continue
                if response.status == 304:
                    return FetchedPage(url=url, kind="unchanged", text="", etag=etag, last_modified=last_modified)
                if response.status == 429:
                    wait = retry_after(response.headers.get("Retry-After"))
                    raise RetryLater("The site asks us to wait {wait} seconds before asking again.", wait,
                                     wait=round(wait))
                if response.status >= 400:
                    raise ImportRefused("The site answered {status}; check the link.",
                                        status=" ".join(str(p) for p in (response.status, response.reason) if p))
                mime = response.content_type.lower()
                kind = KINDS.get(mime)
                if feeds and (mime in FEED_TYPES or mime == "application/json"):
                    kind = "feed"
                if kind is None:
                    if mime in FEED_TYPES:
                        raise ImportRefused("That link is a feed, not an article: send the link of one post.")
                    if not mime:
                        raise ImportRefused("That link is of no stated type, not an article (HTML, Markdown or "
                                            "plain text).")
                    raise ImportRefused("That link is {type}, not an article (HTML, Markdown or plain text).",
                                        type=mime)
                body = await self._read(response)
                text = decode_page(body, response.charset, html=kind in ("html", "feed"))
                return FetchedPage(url=url, kind=kind, text=text, etag=response.headers.get("ETag"),
                                   last_modified=response.headers.get("Last-Modified"))
        raise ImportRefused("The site redirected more than {n} times.", n=MAX_REDIRECTS)

    async def _read(self, response: aiohttp.ClientResponse) -> bytes:
        declared = response.content_length
        if declared is not None and declared > self.max_bytes:
            raise ImportRefused("The page is {size} MB; the limit is {limit} MB.", size=format(declared / 1e6, ".1f"),
                                limit=format(self.max_bytes / 1e6, ".1f"))
        body = bytearray()
        async for chunk in response.content.iter_chunked(CHUNK):
            body += chunk
            if len(body) > self.max_bytes:
                # the connection is dropped rather than drained: a huge page costs us no more than the limit
                response.close()
                raise ImportRefused("The page is larger than the limit of {limit} MB.",
                                    limit=format(self.max_bytes / 1e6, ".1f"))
        if not body:
            raise ImportRefused("The page is empty.")
        return bytes(body)
