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
# A site's navigation copied above the article: never its title.
_CHROME_LINES = frozenset({
    "menu", "main menu", "open menu", "close menu", "toggle navigation", "navigation", "search", "search for",
    "home", "close", "log in", "login", "sign in", "sign up", "register", "subscribe", "share", "follow us",
    "primary menu", "site navigation", "skip to navigation", "search this site", "submit", "go",
})
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
          r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
# "March 3, 2025", "3 March 2025", "2025-03-03", "03/03/2025", "2025年3月3日", with "Published"/"Updated" and a time
_DATE_LINE = re.compile(
    r"(?:(?:published|posted|updated|last updated|date)\s*:?\s*(?:on\s+)?)?"
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?"
    r"(?:" + _MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{1,2}\s+" + _MONTH + r",?\s+\d{4}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)"
    r"(?:,?\s*(?:at\s+)?\d{1,2}:\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*[a-z]{2,4})?)?",
    re.IGNORECASE)
_TRIM = " \t*_:.…!>#-"
# Page furniture that extractors keep on pages without clear markup. Only short paragraphs qualify, so an
# article about cookies or newsletters keeps its text.
_COPYRIGHT = re.compile(
    r"(?:copyright\s*(?:©|\(c\)|\d{4})|©\s*\d{4}|\(c\)\s*\d{4}|all rights reserved)", re.IGNORECASE
)
_COOKIE_NOTICE = re.compile(
    r"(?:we use cookies|this (?:web)?site uses cookies|accept (?:all )?cookies"
    r"|by continuing to use this (?:web)?site)",
    re.IGNORECASE,
)
_NEWSLETTER = re.compile(r"(?:sign up|subscribe|join)\b.{0,80}\b(?:newsletter|weekly|daily|inbox)\b", re.IGNORECASE)
# Short lines that begin like a site's furniture around a post (sharing, editing, follow-ups), in English and
# Chinese. Only short paragraphs qualify: an article may well begin a sentence with "More from".
_FURNITURE = re.compile(
    r"(?:edit this page|was this (?:page|article) helpful|powered by\b|open in app\b|sign up to\b|more from\b"
    r"|recommended from\b|follow us\b|tags?:|you (?:might|may) also like|related (?:articles|stories)\b"
    r"|相关阅读|相关文章|责任编辑|编辑：|扫码关注|关注我们|分享到|点击查看|版权声明)",
    re.IGNORECASE)
_FURNITURE_LENGTH = 120
_SHORT_NOTICE = 300


def _plain(line: str) -> str:
    return " ".join(line.split()).strip(_TRIM).casefold()


def is_end_marker(line: str) -> bool:
    plain = _plain(line)
    if plain in _END_LINES or plain.startswith(_END_PREFIXES):
        return True
    return len(line) <= _SHORT_NOTICE and _COPYRIGHT.match(line.strip()) is not None


def is_junk_line(line: str) -> bool:
    if _plain(line) in _JUNK_LINES:
        return True
    if len(line) > _SHORT_NOTICE:
        return False
    line = line.strip()
    if len(line) <= _FURNITURE_LENGTH and _FURNITURE.match(line) is not None:
        return True
    return _COOKIE_NOTICE.match(line) is not None or _NEWSLETTER.match(line) is not None


def is_chrome_line(line: str) -> bool:
    return _plain(line) in _CHROME_LINES


def is_date_line(line: str) -> bool:
    """A line that is only a date (and maybe a time): the post's dateline, never a heading."""
    text = line.strip().strip(_TRIM)
    return len(text) <= 60 and _DATE_LINE.fullmatch(text) is not None


def is_tracking_token(line: str) -> bool:
    """A lone lowercase token such as `fbpx`: a pixel or widget id, never the first words of an article."""
    return _TRACKING_TOKEN.fullmatch(line.strip()) is not None


def cut_at_end_marker(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if is_end_marker(line):
            return lines[:index]
    return lines
