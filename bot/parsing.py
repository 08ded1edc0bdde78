"""Reading command arguments: comment numbers, durations, words. Errors are plain-words BotErrors."""

from __future__ import annotations

import re

from bot.errors import BotError
from bot.i18n import Msg, ngettext

_DURATION = re.compile(r"^(\d{1,6})\s*([smhdw])$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
MAX_COMMENT_NUMBER = 10**12


def split_first(text: str) -> tuple[str, str]:
    """The first word and the rest, whitespace-trimmed."""
    parts = text.strip().split(maxsplit=1)
    if not parts:
        return "", ""
    return parts[0], parts[1].strip() if len(parts) > 1 else ""


def comment_number(word: str, usage: str) -> int:
    """`#12` or `12` → 12."""
    raw = word.strip()
    if not raw:
        raise BotError("Which comment? Give its number, like #3. Usage: {usage}", usage=Msg(usage))
    digits = raw[1:] if raw.startswith("#") else raw
    if not digits.isascii() or not digits.isdigit() or int(digits) == 0 or int(digits) > MAX_COMMENT_NUMBER:
        raise BotError("“{word}” is not a comment number. Comment numbers look like #3. Usage: {usage}",
                       word=raw[:40], usage=Msg(usage))
    return int(digits)


def duration(word: str) -> int | None:
    """`30m`, `2h`, `7d` → seconds; None when `word` is not a duration."""
    match = _DURATION.match(word.strip())
    if not match:
        return None
    seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]
    return seconds if seconds > 0 else None


def human_duration(seconds: float) -> str:
    """A length of time in the reader's language, in its largest whole unit: "2 hours", "2 小时"."""
    seconds = max(0, int(round(seconds)))
    if seconds >= 86400:
        return ngettext("{n} day", "{n} days", seconds // 86400).format(n=seconds // 86400)
    if seconds >= 3600:
        return ngettext("{n} hour", "{n} hours", seconds // 3600).format(n=seconds // 3600)
    if seconds >= 60:
        return ngettext("{n} minute", "{n} minutes", seconds // 60).format(n=seconds // 60)
    return ngettext("{n} second", "{n} seconds", seconds).format(n=seconds)


def number(n: int) -> str:
    """A count with thousands separators (the same in English and Chinese: 16,000)."""
    return f"{n:,}"
