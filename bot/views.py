"""Builds the neutral replies people see: article overview, a section, comment lists."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from bot.actions import Verb, encode
from bot.records import MARK_END, MARK_START, WHOLE_ARTICLE, Article, Comment, SearchHit, Section, Status
from bot.types import Anchor, Block, Button, Heading, Paragraph, Quote, Reply, Span, Style

PAGE_SIZE = 10


def ago(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 60:
        return "just now"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return "just now"  # unreachable: every positive count hit a unit above


def section_label(article: Article, key: str, orphans: dict[str, str] | None = None) -> str:
    if key == WHOLE_ARTICLE:
        return "the article"
    section = article.section(key)
    if section is not None:
        return f"§{section.position} {section.heading}"
    heading = (orphans or {}).get(key)
    return f"{heading} (section removed)" if heading else f"{key} (section removed)"


def nav_buttons(article: Article, section: Section | None, comment_count: int) -> tuple[tuple[Button, ...], ...]:
    row: list[Button] = []
    position = section.position if section else 0
    if position > 1:
        prev = article.sections[position - 2]
        row.append(Button("◀ Previous", encode(Verb.SECTION, article.id, prev.key)))
    elif position == 1:
        row.append(Button("◀ Intro", encode(Verb.SECTION, article.id, "")))
    key = section.key if section else "*"
    row.append(Button(f"💬 Comments ({comment_count})", encode(Verb.COMMENTS, article.id, key, 0)))
    if position < len(article.sections):
        nxt = article.sections[position]
        row.append(Button("Next ▶", encode(Verb.SECTION, article.id, nxt.key)))
    return (tuple(row),)


def contents_lines(article: Article, counts: dict[str, int] | None) -> list[Block]:
    blocks: list[Block] = [Heading("Contents")]
    for section in article.sections:
        count = (counts or {}).get(section.key, 0)
        tail = f"  · 💬 {count}" if counts is not None else ""
        blocks.append(Paragraph.of(f"{section.position}. ", Span(section.heading, Style.BOLD), tail))
    if counts is not None and counts.get(WHOLE_ARTICLE):
        blocks.append(Paragraph.of(f"On the article as a whole: 💬 {counts[WHOLE_ARTICLE]}"))
    return blocks


def overview(article: Article, counts: dict[str, int], *, intro: bool = True) -> Reply:
    blocks: list[Block] = [Heading(article.title)]
    if article.byline:
        blocks.append(Paragraph.of(Span(f"By {article.byline}", Style.ITALIC)))
    if intro:
        blocks.extend(Paragraph.of(p) for p in article.intro)
    if article.source:
        blocks.append(Paragraph.of("Source: ", Span(article.source, Style.CODE)))
    blocks.extend(contents_lines(article, counts))
    blocks.append(Paragraph.of("Open a section with /section 1, or press Next."))
    total = sum(counts.values())
    return Reply(tuple(blocks), nav_buttons(article, None, total), anchor=Anchor(article.id, WHOLE_ARTICLE))


def contents(article: Article, counts: dict[str, int]) -> Reply:
    blocks: list[Block] = [Heading(article.title), *contents_lines(article, counts)]
    blocks.append(Paragraph.of("Read one with /section <number or words>."))
    rows = tuple(
        tuple(
            Button(f"{s.position}. {s.heading}"[:60], encode(Verb.SECTION, article.id, s.key))
            for s in article.sections[i:i + 2]
        )
        for i in range(0, len(article.sections), 2)
    )
    return Reply(tuple(blocks), rows, anchor=Anchor(article.id, WHOLE_ARTICLE))


@functools.lru_cache(maxsize=512)  # a section's text is shown again and again; only its footer changes
def _section_body(title: str, total: int, section: Section) -> tuple[Block, ...]:
    return (Paragraph.of(Span(f"{title} · {section.position}/{total}", Style.ITALIC)),
            Heading(section.heading),
            *(Paragraph.of(p) for p in section.paragraphs))


def section_view(article: Article, section: Section, comment_count: int, locked: bool) -> Reply:
    blocks = list(_section_body(article.title, len(article.sections), section))
    if locked:
        blocks.append(Paragraph.of(Span("🔒 Commenting on this section is closed.", Style.ITALIC)))
    else:
        blocks.append(Paragraph.of(Span(
            f"💬 {comment_count} comment{'s' if comment_count != 1 else ''}. Reply to this message or use "
            "/comment <text> to add yours.", Style.ITALIC)))
    return Reply(tuple(blocks), nav_buttons(article, section, comment_count),
                 anchor=Anchor(article.id, section.key))


def comment_header(comment: Comment, article: Article, now: float, *, show_section: bool) -> Paragraph:
    parts: list[str | Span] = [Span(f"#{comment.number}", Style.BOLD), " ", Span(comment.author_name, Style.BOLD)]
    meta = [ago(now - comment.created_at)]
    if comment.parent_number:
        meta.append(f"↪ #{comment.parent_number}")
    if show_section:
        meta.append(f"on {section_label(article, comment.section_key)}")
    if comment.edited_at:
        meta.append("edited")
    if comment.status is not Status.VISIBLE:
        meta.append(comment.status.value + (f": {comment.hold_reason}" if comment.hold_reason else ""))
    parts.append(Span(" · " + " · ".join(meta), Style.ITALIC))
    return Paragraph.of(*parts)


def comment_blocks(comment: Comment, article: Article, now: float, *, show_section: bool) -> list[Block]:
    return [comment_header(comment, article, now, show_section=show_section), Quote(comment.text)]


def comments_page(
    article: Article,
    title: str,
    comments: Sequence[Comment],
    now: float,
    *,
    section_key: str | None,
    more_before: int | None,
    empty_hint: str,
) -> Reply:
    blocks: list[Block] = [Heading(title)]
    if not comments:
        blocks.append(Paragraph.of(empty_hint))
    for comment in comments:
        blocks.extend(comment_blocks(comment, article, now, show_section=section_key is None))
    buttons: tuple[tuple[Button, ...], ...] = ()
    if more_before is not None:
        key = "*" if section_key is None else section_key
        buttons = ((Button("More ▶", encode(Verb.COMMENTS, article.id, key, more_before)),),)
    return Reply(tuple(blocks), buttons)


def search_results(article: Article, query: str, hits: Sequence[SearchHit]) -> Reply:
    blocks: list[Block] = [Heading(f"Search: {query}")]
    for hit in hits:
        section = article.section(hit.section_key)
        where = f"§{section.position} " if section else ""
        blocks.append(Paragraph.of(Span(where + hit.heading, Style.BOLD)))
        blocks.append(Paragraph(marked_spans(hit.snippet)))
    rows = tuple(
        (Button(f"Open §{s.position}", encode(Verb.SECTION, article.id, s.key)),)
        for s in (article.section(h.section_key) for h in hits[:5])
        if s is not None
    )
    return Reply(tuple(blocks), rows)


def marked_spans(snippet: str) -> tuple[Span, ...]:
    """Turns the storage's match markers into bold spans; the markers never reach a platform."""
    spans: list[Span] = []
    rest = snippet
    while rest:
        start = rest.find(MARK_START)
        if start < 0:
            spans.append(Span(rest.replace(MARK_END, "")))
            break
        if start:
            spans.append(Span(rest[:start].replace(MARK_END, "")))
        end = rest.find(MARK_END, start)
        end = len(rest) if end < 0 else end
        spans.append(Span(rest[start + 1:end], Style.BOLD))
        rest = rest[end + 1:]
    return tuple(s for s in spans if s.text)
