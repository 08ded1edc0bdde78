"""The parsed shape of an article, independent of where it came from."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ParsedSection:
    heading: str
    key: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ParsedArticle:
    title: str
    byline: str | None
    intro: tuple[str, ...]
    sections: tuple[ParsedSection, ...]


def slugify(text: str, max_len: int = 32) -> str:
    """A stable key for a heading; keeps letters of any script so CJK headings get a key too.

    Short enough that a button carrying it stays within Telegram's 64-byte callback data."""
    norm = unicodedata.normalize("NFKD", text)
    norm = "".join(ch for ch in norm if not unicodedata.combining(ch)).lower()
    slug = re.sub(r"[^\w]+", "-", norm, flags=re.UNICODE).strip("-_")
    slug = re.sub(r"[-_]+", "-", slug)
    if len(slug.encode("utf-8")) > max_len:
        while len(slug.encode("utf-8")) > max_len:  # bytes, not characters: CJK letters take three each
            slug = slug[:-1]
        if "-" in slug[max_len // 2:]:
            slug = slug.rsplit("-", 1)[0]  # end on a whole word where one is near
    return slug.strip("-") or "section"


def unique_keys(headings: list[str]) -> list[str]:
    """Slugs for headings, suffixed -2, -3... where two headings slug alike."""
    seen: dict[str, int] = {}
    keys: list[str] = []
    for heading in headings:
        base = slugify(heading)
        count = seen.get(base, 0) + 1
        seen[base] = count
        keys.append(base if count == 1 else f"{base}-{count}")
    return keys
