"""Finding a section from what someone typed: a number, a key, or words from its heading."""

from __future__ import annotations

import difflib
import re

from bot.records import Article, Section


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.casefold()) if len(w) > 1 or not w.isascii()}


def _score(wanted: set[str], heading: str) -> int:
    """How many of the typed words the heading has. Chinese runs together without spaces, so a typed
    Chinese word counts when it appears anywhere in the heading."""
    folded = heading.casefold()
    have = _words(heading)
    return sum(1 for w in wanted if w in have or (not w.isascii() and w in folded))


def find_sections(article: Article, query: str) -> list[Section]:
    """Best matches first; exactly one item means a confident match, none means nothing fits."""
    text = query.strip().lstrip("§#")
    if not text:
        return []
    if text.isascii() and text.isdigit():
        n = int(text)
        return [article.sections[n - 1]] if 1 <= n <= len(article.sections) else []
    folded = text.casefold()
    for section in article.sections:
        if folded in (section.key, section.heading.casefold()):
            return [section]
    containing = [s for s in article.sections if folded in s.heading.casefold()]
    if containing:
        return containing
    wanted = _words(text)
    if wanted:
        scored = [(_score(wanted, s.heading), s) for s in article.sections]
        best = max(score for score, _ in scored)
        if best:
            return [s for score, s in scored if score == best]
    headings = [s.heading.casefold() for s in article.sections]
    close = difflib.get_close_matches(folded, headings, n=3, cutoff=0.6)
    return [article.sections[headings.index(h)] for h in close]
