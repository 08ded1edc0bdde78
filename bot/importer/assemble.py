"""The format-neutral last step: tidy what a format parser found and turn it into a ParsedArticle."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from bot.article import ParsedArticle, ParsedSection, unique_keys
from bot.errors import ImportRefused

MAX_TITLE = 200
_DERIVED_TITLE = 80
_MAX_BYLINE = 120
_BY = re.compile(r"by\s+", re.IGNORECASE)


@dataclass
class Draft:
    """What a format parser found, in reading order, before any tidying."""

    title: str | None = None
    byline: str | None = None
    intro: list[str] = field(default_factory=list)
    sections: list[tuple[str, list[str]]] = field(default_factory=list)

    def start_section(self, heading: str) -> None:
        self.sections.append((heading, []))

    def add_paragraph(self, text: str) -> None:
        (self.sections[-1][1] if self.sections else self.intro).append(text)


def squash(text: str) -> str:
    """Whitespace runs (any Unicode space, line breaks included) to one space; nothing else changes."""
    return " ".join(text.split())


def visible(text: str) -> bool:
    """Whether anything would show on screen: zero-width and control characters alone do not count."""
    return any(not unicodedata.category(ch).startswith(("Z", "C")) for ch in text)


def shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    # Text without spaces (CJK) is cut anywhere; spaced text at the last word boundary.
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"


def clean_byline(raw: str | None) -> str | None:
    if raw is None:
        return None
    byline = squash(raw).strip("*_ ")
    byline = _BY.sub("", byline, count=1) if _BY.match(byline) else byline
    byline = byline.strip("*_ ")
    if not visible(byline) or len(byline) > _MAX_BYLINE:
        return None
    return byline


def build(draft: Draft) -> ParsedArticle:
    intro = _paragraphs(draft.intro)
    sections: list[tuple[str, tuple[str, ...]]] = []
    for raw_heading, raw_paragraphs in draft.sections:
        heading = shorten(squash(raw_heading), MAX_TITLE)
        paragraphs = _paragraphs(raw_paragraphs)
        if not paragraphs:
            # A heading with nothing under it (a parent of subsections, a stripped table) is not a section
            # anyone can read; dropping it keeps every section non-empty.
            continue
        if not visible(heading):
            if sections:
                sections[-1] = (sections[-1][0], sections[-1][1] + paragraphs)
            else:
                intro += paragraphs
            continue
        sections.append((heading, paragraphs))

    title = squash(draft.title or "")
    title = title if visible(title) else ""
    first_text = intro[0] if intro else sections[0][1][0] if sections else None
    if first_text is None:
        if title:
            raise ImportRefused("I found the title “{title}” but no article text under it.", title=shorten(title, 80))
        raise ImportRefused("I could not find any article text in this file.")
    if not title:
        title = shorten(first_text, _DERIVED_TITLE)
    title = shorten(title, MAX_TITLE)

    keys = unique_keys([heading for heading, _ in sections])
    return ParsedArticle(
        title=title,
        byline=clean_byline(draft.byline),
        intro=intro,
        sections=tuple(
            ParsedSection(heading=heading, key=key, paragraphs=paragraphs)
            for (heading, paragraphs), key in zip(sections, keys, strict=True)
        ),
    )


def _paragraphs(raw: list[str]) -> tuple[str, ...]:
    return tuple(text for text in (squash(paragraph) for paragraph in raw) if visible(text))
