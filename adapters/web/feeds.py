"""Feeds (RSS, Atom, JSON Feed) for /follow: fetched through the guarded page fetcher, parsed with feedparser
(JSON Feed, which feedparser does not read, by its short specification), and found from a site's page by its
<link rel="alternate">."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urljoin

from adapters.web.pages import FEED_TYPES, PageFetcher
from bot.errors import ImportRefused
from bot.records import FeedEntry, FetchedFeed, FetchedPage

MAX_ENTRIES = 50  # a feed's newest; older ones were announced (or skipped as backlog) long ago


class FeedFetcher:
    def __init__(self, pages: PageFetcher) -> None:
        self.pages = pages

    async def fetch_feed(self, url: str, *, etag: str | None = None, last_modified: str | None = None
                         ) -> FetchedFeed:
        page = await self.pages.fetch_page(url, etag=etag, last_modified=last_modified, feeds=True)
        if page.kind == "unchanged":
            return FetchedFeed(url=page.url, etag=etag, last_modified=last_modified, unchanged=True)
        if page.kind == "html":
            named = discover(page.text, page.url)
            if named is None:
                raise ImportRefused("That page is not a feed and names none. Send the feed's link (RSS, Atom or "
                                    "JSON Feed).")
            page = await self.pages.fetch_page(named, feeds=True)
        if page.kind != "feed":
            raise ImportRefused("That link is not a feed (RSS, Atom or JSON Feed).")
        return parse_feed(page)


def discover(html: str, base: str) -> str | None:
    """The feed a page names with <link rel="alternate" type="application/rss+xml" href="...">."""
    import lxml.html

    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        href = link.get("href")
        if "alternate" in rel and href and (kind in FEED_TYPES or kind == "application/json"):
            return urljoin(base, href)
    return None


def parse_feed(page: FetchedPage) -> FetchedFeed:
    text = page.text.lstrip()
    if text.startswith("{"):
        title, entries = _json_feed(text)
    else:
        title, entries = _xml_feed(text)
    return FetchedFeed(url=page.url, title=title, entries=tuple(entries[:MAX_ENTRIES]), etag=page.etag,
                       last_modified=page.last_modified)


def _xml_feed(text: str) -> tuple[str, list[FeedEntry]]:
    import feedparser

    parsed = feedparser.parse(text)
    if not parsed.get("version") and not parsed.entries:
        raise ImportRefused("That link is not a feed (RSS, Atom or JSON Feed).")
    entries = []
    for item in parsed.entries:
        link = item.get("link") or None
        key = item.get("id") or link
        if not key:
            continue
        content = item.get("content") or []
        body = max((c.get("value", "") for c in content), key=len, default="") or None
        summary = item.get("summary") or ""
        # a full post, not a teaser: longer than the summary and more than a paragraph
        full = body if body and len(body) > max(len(summary), 600) else None
        entries.append(FeedEntry(str(key), link, str(item.get("title") or link or key), full))
    return str(parsed.feed.get("title") or ""), entries


def _json_feed(text: str) -> tuple[str, list[FeedEntry]]:
    try:
        data: Any = json.loads(text)
    except ValueError as err:
        raise ImportRefused("That link is not a feed (RSS, Atom or JSON Feed).") from err
    if not isinstance(data, dict) or not str(data.get("version", "")).startswith("https://jsonfeed.org/"):
        raise ImportRefused("That link is not a feed (RSS, Atom or JSON Feed).")
    entries = []
    for item in data.get("items") or []:
        if not isinstance(item, dict):
            continue
        link = item.get("url") if isinstance(item.get("url"), str) else None
        key = item.get("id") or link
        if not key:
            continue
        body = item.get("content_html") if isinstance(item.get("content_html"), str) else None
        full = body if body and len(body) > 600 else None
        entries.append(FeedEntry(str(key), link, str(item.get("title") or link or key), full))
    return str(data.get("title") or ""), entries
