"""Search by substring, for words that full-text indexes miss.

Both stores' tokenizers keep a run of CJK characters (no spaces between words) as one token, so a Chinese
word inside a sentence never matches an index term. A substring scan over one article's few sections is
cheap and finds it; each store falls back to this when its index finds nothing."""

from __future__ import annotations

from bot.records import MARK_END, MARK_START, Article, SearchHit

CONTEXT_CHARS = 60


def substring_hits(article: Article, query: str, limit: int) -> list[SearchHit]:
    needle = query.strip().casefold()
    hits: list[SearchHit] = []
    if not needle:
        return hits
    for section in article.sections:
        text = "\n\n".join(section.paragraphs)
        at = text.casefold().find(needle)
        if at >= 0 or needle in section.heading.casefold():
            at = max(at, 0)
            start = max(0, at - CONTEXT_CHARS)
            end = min(len(text), at + len(needle) + CONTEXT_CHARS)
            snippet = (
                ("…" if start else "") + text[start:at] + MARK_START + text[at:at + len(needle)]
                + MARK_END + text[at + len(needle):end] + ("…" if end < len(text) else "")
            )
            hits.append(SearchHit(section.key, section.heading, snippet))
        if len(hits) >= limit:
            break
    return hits
