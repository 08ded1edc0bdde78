"""What the full-text indexes miss, found in the article itself: the intro (not indexed: it has no section),
and Chinese words inside a longer run of Chinese.

Both stores' tokenizers keep a run of CJK characters (no spaces between words) as one token, so a Chinese
word inside a sentence never matches an index term. A scan over one article's intro and few sections is
cheap (the article is cached in memory) and finds it; both stores merge it with what their index found."""

from __future__ import annotations

import re

from bot.records import MARK_END, MARK_START, WHOLE_ARTICLE, Article, SearchHit

CONTEXT_CHARS = 60
# scripts written without spaces between words: searched as substrings (of two characters or more)
UNSPACED = re.compile("[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def unspaced(query: str) -> bool:
    return bool(UNSPACED.search(query))


def _snippet(text: str, at: int, length: int) -> str:
    start = max(0, at - CONTEXT_CHARS)
    end = min(len(text), at + length + CONTEXT_CHARS)
    return (("…" if start else "") + text[start:at] + MARK_START + text[at:at + length] + MARK_END
            + text[at + length:end] + ("…" if end < len(text) else ""))


def _found(text: str, query: str) -> tuple[int, int] | None:
    """Where the query is in `text` (case-insensitive): the whole query as a substring, else every word of it
    (word starts for spaced scripts, anywhere for Chinese); (position, length) of the first match."""
    folded = text.casefold()
    needle = query.strip().casefold()
    if len(needle) < 2:  # one character is in nearly everything: not a search
        return None
    at = folded.find(needle)
    if at >= 0:
        return at, len(needle)
    words = re.findall(r"\w+", needle)
    if not words or any(unspaced(word) and len(word) < 2 for word in words):
        return None
    first: tuple[int, int] | None = None
    for word in words:
        match = (re.search(re.escape(word), folded) if unspaced(word)
                 else re.search(r"(?<!\w)" + re.escape(word), folded))
        if match is None:
            return None
        if first is None or match.start() < first[0]:
            first = (match.start(), len(word))
    return first


def text_hits(article: Article, query: str, limit: int, *, sections: bool) -> list[SearchHit]:
    """The intro when it matches, then (with `sections`) each matching section, in article order."""
    hits: list[SearchHit] = []
    intro = "\n\n".join(article.intro)
    place = _found(intro, query) if intro else None
    if place is not None:
        hits.append(SearchHit(WHOLE_ARTICLE, "", _snippet(intro, *place)))
    if sections:
        for section in article.sections:
            if len(hits) >= limit:
                break
            text = "\n\n".join(section.paragraphs)
            place = _found(text, query)
            if place is not None:
                hits.append(SearchHit(section.key, section.heading, _snippet(text, *place)))
            elif _found(section.heading, query) is not None:
                hits.append(SearchHit(section.key, section.heading, text[:2 * CONTEXT_CHARS]
                                      + ("…" if len(text) > 2 * CONTEXT_CHARS else "")))
    return hits[:limit]


def merged(indexed: list[SearchHit], article: Article | None, query: str, limit: int) -> list[SearchHit]:
    """The index's hits, with the intro's first and, when the index missed something it cannot see (Chinese
    inside a run, or nothing at all), the sections the scan finds."""
    if article is None:
        return indexed[:limit]
    scan = text_hits(article, query, limit, sections=unspaced(query) or not indexed)
    seen = {hit.section_key for hit in indexed}
    intro = [hit for hit in scan if hit.section_key == WHOLE_ARTICLE]
    extra = [hit for hit in scan if hit.section_key != WHOLE_ARTICLE and hit.section_key not in seen]
    return (intro + indexed + extra)[:limit]
