"""Judging single lines of text: is it a heading, a byline, a list item; how wide is it on screen."""

from __future__ import annotations

import re
import unicodedata

MAX_HEADING_WIDTH = 80
MAX_HEADING_WORDS = 11
MAX_BYLINE_WORDS = 10

# Sentence ends (Latin and CJK) and lead-in punctuation: a line ending so is prose, not a heading.
_PROSE_ENDINGS = ".!?:;,。！？：；，…"
_CLOSERS = "\"'”’)]»」』】"
_BULLET = re.compile(r"(?:[-*+•·▪–—]|\d{1,3}[.)])\s")
_BYLINE = re.compile(r"[*_]{0,2}\s*by\s+(?P<name>\S.*?)\s*[*_]{0,2}", re.IGNORECASE)
# Chinese bylines: 作者：林晓, 文／林晓, 撰文：林晓 (a full-width or plain colon or slash)
# a date after the name on a Chinese byline line: 作者：王小明　2025年3月3日
# a date after the name on a byline line: "By Mei Lin March 3, 2025", "作者：王小明　2025年3月3日"
_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_TRAILING_DATE = re.compile(
    r"[\s\u3000,·|]+(?:on\s+|published\s+|updated\s+)?(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}-\d{2}-\d{2}"
    r"|" + _MONTHS + r"\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+" + _MONTHS + r"\s+\d{4})(?:,?\s*\d{1,2}:\d{2})?\s*$",
    re.IGNORECASE)
_BYLINE_ZH = re.compile(r"[*_]{0,2}\s*(?:作者|文|撰文|记者)\s*[：:／/]\s*"
                        r"(?P<name>[^\s，。,;；]{1,20}(?:\s[^\s，。,;；]{1,20})?)\s*[*_]{0,2}")


def width(text: str) -> int:
    """Columns on a monospace screen: CJK characters count twice, so limits suit every script."""
    return len(text) + sum(1 for ch in text if ord(ch) >= 0x1100 and unicodedata.east_asian_width(ch) in "WF")


def is_bullet(line: str) -> bool:
    return _BULLET.match(line) is not None


def starts_like_a_name(text: str) -> bool:
    """First letter is a capital, a digit, or from a script without case (CJK, Arabic, Hebrew...)."""
    first = next((ch for ch in text if ch.isalnum()), None)
    if first is None:
        return False
    return first.isupper() or first.isdigit() or (first.isalpha() and not first.islower())


def looks_like_heading(line: str) -> bool:
    line = line.strip()
    if not line or width(line) > MAX_HEADING_WIDTH or len(line.split()) > MAX_HEADING_WORDS:
        return False
    if is_bullet(line):
        return False
    core = line.rstrip(_CLOSERS)
    if not core or core[-1] in _PROSE_ENDINGS:
        return False
    return starts_like_a_name(line)


def byline_name(line: str) -> str | None:
    """`Joel Wong` for `By Joel Wong` (or `*By Joel Wong*`), `林晓` for `作者：林晓`; None for prose such as
    `By the end of May...`."""
    line = line.strip()
    # Checked before the pattern runs: a byline is short, and long lines would make the pattern slow.
    if len(line) > 200:
        return None
    line = _TRAILING_DATE.sub("", line)
    chinese = _BYLINE_ZH.fullmatch(line)
    if chinese is not None:
        return chinese.group("name")
    match = _BYLINE.fullmatch(line)
    if match is None:
        return None
    name = match.group("name")
    if len(name.split()) > MAX_BYLINE_WORDS or name.rstrip(_CLOSERS)[-1:] in tuple("!?:;,"):
        return None
    # A name may end in an initial ("Jr."), but a sentence of several words ending in a period is prose.
    if name.endswith(".") and len(name.split()[-1]) > 3:
        return None
    return name if starts_like_a_name(name) else None


def join_wrapped(lines: list[str]) -> str:
    """Join the lines of one paragraph; CJK text is written without spaces between words."""
    parts: list[str] = []
    for line in lines:
        if parts and not (_is_wide(parts[-1][-1:]) and _is_wide(line[:1])):
            parts.append(" ")
        parts.append(line)
    return "".join(parts)


def _is_wide(ch: str) -> bool:
    return ch != "" and ord(ch) >= 0x1100 and unicodedata.east_asian_width(ch) in "WF"
