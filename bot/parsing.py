"""Reading command arguments: comment numbers, durations, words. Errors are plain-words BotErrors."""

from __future__ import annotations

import re

from bot.errors import BotError

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
        raise BotError(f"Which comment? Give its number, like #3. Usage: {usage}")
    digits = raw[1:] if raw.startswith("#") else raw
    if not digits.isascii() or not digits.isdigit() or int(digits) == 0 or int(digits) > MAX_COMMENT_NUMBER:
        raise BotError(f"“{raw[:40]}” is not a comment number. Comment numbers look like #3. Usage: {usage}")
    return int(digits)


def duration(word: str) -> int | None:
    """`30m`, `2h`, `7d` → seconds; None when `word` is not a duration."""
    match = _DURATION.match(word.strip())
    if not match:
        return None
    seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]
    return seconds if seconds > 0 else None


def human_duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"
