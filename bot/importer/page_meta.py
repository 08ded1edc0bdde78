"""A page's title, author and site name, read from its own markup (meta tags, JSON-LD, rel=author).

trafilatura can do this too, but its metadata pass also guesses the publication date (htmldate), which cost
more than the rest of an import put together; the bot shows no dates, so it reads only what it shows."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from bot.importer.assemble import squash

if TYPE_CHECKING:
    from lxml.etree import _Element

_JSON_LD_LIMIT = 200_000  # characters of one JSON-LD script: a page's metadata, never a novel


def _meta(page: _Element, *names: str) -> str:
    for element in page.iter("meta"):
        key = (element.get("property") or element.get("name") or "").lower()
        if key in names:
            value = squash(element.get("content") or "")
            if value:
                return value
    return ""


def _json_ld(page: _Element) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for script in page.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        if len(script.text) > _JSON_LD_LIMIT:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        items = data if isinstance(data, list) else data.get("@graph", [data]) if isinstance(data, dict) else []
        found += [item for item in items if isinstance(item, dict)]
    return found


def _names(value: object) -> list[str]:
    if isinstance(value, str):
        return [squash(value)] if value.strip() and "://" not in value else []
    if isinstance(value, dict):
        return _names(value.get("name"))
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    return []


def page_meta(page: _Element) -> tuple[str, str | None, str]:
    """(title, author or None, site name), each as the page states it (empty when it does not)."""
    ld = _json_ld(page)
    title = _meta(page, "og:title", "twitter:title")
    if not title:
        title = next((squash(str(item["headline"])) for item in ld if isinstance(item.get("headline"), str)), "")
    if not title:
        head = page.find(".//title")
        title = squash(head.text_content()) if head is not None else ""
    authors = [name for item in ld for name in _names(item.get("author"))]
    author = ", ".join(dict.fromkeys(authors)) or _meta(page, "author", "article:author", "dc.creator")
    if author and "://" in author:
        author = ""
    if not author:
        link = next((a for a in page.iter("a") if "author" in (a.get("rel") or "").lower().split()), None)
        author = squash(link.text_content()) if link is not None else ""
    site = _meta(page, "og:site_name", "application-name")
    return title, author or None, site
