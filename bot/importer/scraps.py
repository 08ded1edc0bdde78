"""Scraper leftovers: blog chrome that copy-paste and scrapers drag along with the article text."""

from __future__ import annotations

import re

# Everything from one of these on is the comment form or sharing widgets under a post, never the article.
_END_LINES = frozenset(
    {
        "leave your comment",
        "leave a comment",
        "leave a reply",
        "post comment",
        "submit comment",
        "share this",
        "like this",
        "related posts",
        "you may also like",
        "post navigation",
    }
)
_END_PREFIXES = (
    "your email address will not be published",
    "required fields are marked",
    "save my name, email",
    "you must be logged in to post a comment",
    "cancel reply",
)
# Dropped wherever they stand: accessibility links and tracking tokens that scrapers copy as text.
_JUNK_LINES = frozenset({"skip to content", "skip to main content", "fbpx", "advertisement"})
_TRACKING_TOKEN = re.compile(r"[a-z0-9_-]{1,16}")
_TRIM = " \t*_:.…!>#-"


def _plain(line: str) -> str:
    return " ".join(line.split()).strip(_TRIM).casefold()


def is_end_marker(line: str) -> bool:
    plain = _plain(line)
    return plain in _END_LINES or plain.startswith(_END_PREFIXES)


def is_junk_line(line: str) -> bool:
    return _plain(line) in _JUNK_LINES


def is_tracking_token(line: str) -> bool:
    """A lone lowercase token such as `fbpx`: a pixel or widget id, never the first words of an article."""
    return _TRACKING_TOKEN.fullmatch(line.strip()) is not None


def cut_at_end_marker(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if is_end_marker(line):
            return lines[:index]
    return lines
