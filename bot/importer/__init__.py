"""Turn an uploaded file (plain text, Markdown or HTML) into a ParsedArticle, or refuse it in plain words.

parse_article is synchronous and can take a few seconds on a large HTML page; call it from a worker thread
(`asyncio.to_thread`) in async code.
"""

from __future__ import annotations

import logging

from bot.article import ParsedArticle
from bot.errors import ImportRefused
from bot.i18n import N_
from bot.importer.assemble import build
from bot.importer.decode import decode_bytes
from bot.importer.detect import HTML_SUFFIXES, Format, detect_format, looks_like_html_start, suffix
from bot.importer.html_doc import parse_html
from bot.importer.markdown import parse_markdown
from bot.importer.plain import parse_plain

__all__ = ["DEFAULT_MAX_BYTES", "parse_article"]

DEFAULT_MAX_BYTES = 2_000_000
GENERIC_MESSAGE = N_("Could not read this file as an article.")

log = logging.getLogger(__name__)


def parse_article(
    data: bytes, *, filename: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> ParsedArticle:
    """The article in `data`; raises ImportRefused (and nothing else) when there is none to be had."""
    try:
        return _parse(bytes(data), filename, max_bytes)
    except ImportRefused:
        raise
    except Exception as exc:
        # A parser bug must not surface as a crash in a chat; the user gets a plain refusal, we get the trace.
        log.warning("article import failed unexpectedly (filename=%r)", filename, exc_info=True)
        raise ImportRefused(GENERIC_MESSAGE) from exc


def _parse(data: bytes, filename: str | None, max_bytes: int) -> ParsedArticle:
    if not data:
        raise ImportRefused("The file is empty.")
    if len(data) > max_bytes:
        size, limit = _human_size(len(data)), _human_size(max_bytes)
        if size == limit:
            size, limit = f"{len(data):,} bytes", f"{max_bytes:,} bytes"
        raise ImportRefused("The file is {size}; the limit is {limit}.", size=size, limit=limit)

    html_hint = suffix(filename) in HTML_SUFFIXES or looks_like_html_start(data)
    text = decode_bytes(data, html_hint=html_hint)
    if not text.strip():
        raise ImportRefused("The file contains only blank space, no article.")

    kind = detect_format(text, filename)
    if kind is Format.HTML:
        draft = parse_html(text)
    elif kind is Format.MARKDOWN:
        draft = parse_markdown(text)
    else:
        draft = parse_plain(text)
    return build(draft)


def _human_size(size: int) -> str:
    if size < 1000:
        return "1 byte" if size == 1 else f"{size} bytes"
    if size < 1_000_000:
        return f"{size / 1000:.1f} KB"
    return f"{size / 1_000_000:.1f} MB"
