"""Builds the neutral replies people see: article overview, a section, comment lists."""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterator, Sequence
from contextvars import ContextVar

from bot.actions import Verb, encode
from bot.i18n import N_, _, current, ngettext
from bot.records import MARK_END, MARK_START, WHOLE_ARTICLE, Article, Comment, SearchHit, Section, Status
from bot.types import Anchor, Block, Button, Heading, Paragraph, Quote, Reply, Span, Style

PAGE_SIZE = 10
STATUS_NAMES = {Status.VISIBLE: N_("visible"), Status.PENDING: N_("pending"), Status.REMOVED: N_("removed"),
                Status.DELETED: N_("deleted"), Status.REJECTED: N_("rejected")}


def ago(seconds: float) -> str:
    """How long ago, short, in the reader's language: "3m ago", "3 分钟前"."""
    seconds = max(0, int(seconds))
    if seconds >= 86400:
        return _("{n}d ago").format(n=seconds // 86400)
    if seconds >= 3600:
        return _("{n}h ago").format(n=seconds // 3600)
    if seconds >= 60:
        return _("{n}m ago").format(n=seconds // 60)
    return _("just now")


def section_label(article: Article, key: str, orphans: dict[str, str] | None = None) -> str:
    if key == WHOLE_ARTICLE:
        return _("the article")
    section = article.section(key)
    if section is not None:
        return f"§{section.position} {section.heading}"
    heading = (orphans or {}).get(key)
    return _("{heading} (section removed)").format(heading=heading or key)


def nav_buttons(article: Article, section: Section | None, comment_count: int) -> tuple[tuple[Button, ...], ...]:
    row: list[Button] = []
    position = section.position if section else 0
    if position > 1:
        prev = article.sections[position - 2]
        row.append(Button(_("◀ Previous"), encode(Verb.SECTION, article.id, prev.key)))
    elif position == 1:
        row.append(Button(_("◀ Intro"), encode(Verb.SECTION, article.id, "")))
    key = section.key if section else "*"
    row.append(Button(_("💬 Comments ({count})").format(count=comment_count),
                      encode(Verb.COMMENTS, article.id, key, 0)))
    if position < len(article.sections):
        nxt = article.sections[position]
        row.append(Button(_("Next ▶"), encode(Verb.SECTION, article.id, nxt.key)))
    return (tuple(row),)


def hottest(recent: dict[str, int] | None) -> str | None:
    """The section with the most comments lately (none when nothing was said, or sections tie for first)."""
    ranked = sorted(((n, key) for key, n in (recent or {}).items() if key != WHOLE_ARTICLE and n), reverse=True)
    if not ranked or (len(ranked) > 1 and ranked[0][0] == ranked[1][0]):
        return None
    return ranked[0][1]


def contents_lines(article: Article, counts: dict[str, int] | None, recent: dict[str, int] | None = None
                   ) -> list[Block]:
    blocks: list[Block] = [Heading(_("Contents"))]
    hot = hottest(recent)
    for section in article.sections:
        count = (counts or {}).get(section.key, 0)
        tail = f"  · 💬 {count}" if counts is not None else ""
        if section.key == hot:
            tail += "  🔥"
        blocks.append(Paragraph.of(f"{section.position}. ", Span(section.heading, Style.BOLD), tail))
    if counts is not None and counts.get(WHOLE_ARTICLE):
        blocks.append(Paragraph.of(_("On the article as a whole: 💬 {count}").format(count=counts[WHOLE_ARTICLE])))
    return blocks


def overview(article: Article, counts: dict[str, int], *, intro: bool = True, recent: dict[str, int] | None = None
             ) -> Reply:
    blocks: list[Block] = [Heading(article.title)]
    if article.byline:
        blocks.append(Paragraph.of(Span(_("By {byline}").format(byline=article.byline), Style.ITALIC)))
    if intro:
        blocks.extend(Paragraph.of(p) for p in article.intro)
    if article.source:
        blocks.append(Paragraph.of(_("Source: {url}").format(url=article.source)))
    hot = hottest(recent)
    if hot is not None:
        blocks.append(Paragraph.of(_("🔥 Most discussed now: {section}").format(section=section_label(article, hot))))
    blocks.extend(contents_lines(article, counts, recent))
    blocks.append(Paragraph.of(_("Open a section with /section 1, or press Next.")))
    total = sum(counts.values())
    return Reply(tuple(blocks), nav_buttons(article, None, total), anchor=Anchor(article.id, WHOLE_ARTICLE))


def contents(article: Article, counts: dict[str, int], recent: dict[str, int] | None = None) -> Reply:
    blocks: list[Block] = [Heading(article.title), *contents_lines(article, counts, recent)]
    blocks.append(Paragraph.of(_("Read one with /section <number or words>.")))
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


# (article object, section key, count, locked, language) -> the reply; the article is kept in the value, so its id
# is not reused while its entry lives. /section is the most frequent answer, and its reply is the same for
# everyone until a comment changes the count; adapters may also reuse their rendering of the same reply object.
_SECTION_VIEWS: dict[tuple[int, str, int, bool, str], tuple[Article, Reply]] = {}
SECTION_VIEWS_KEPT = 2048


def section_view(article: Article, section: Section, comment_count: int, locked: bool) -> Reply:
    key = (id(article), section.key, comment_count, locked, current())
    known = _SECTION_VIEWS.get(key)
    if known is not None and known[0] is article:
        return known[1]
    if len(_SECTION_VIEWS) >= SECTION_VIEWS_KEPT:
        _SECTION_VIEWS.clear()
    reply = _section_view(article, section, comment_count, locked)
    _SECTION_VIEWS[key] = (article, reply)
    return reply


def _section_view(article: Article, section: Section, comment_count: int, locked: bool) -> Reply:
    blocks = list(_section_body(article.title, len(article.sections), section))
    if locked:
        blocks.append(Paragraph.of(Span(_("🔒 Commenting on this section is closed."), Style.ITALIC)))
    else:
        blocks.append(Paragraph.of(Span(ngettext(
            "💬 {n} comment. Reply to this message or use /comment <text> to add yours.",
            "💬 {n} comments. Reply to this message or use /comment <text> to add yours.",
            comment_count).format(n=comment_count), Style.ITALIC)))
    return Reply(tuple(blocks), nav_buttons(article, section, comment_count),
                 anchor=Anchor(article.id, section.key))


# a comment written on another platform than the one reading it (linked rooms) shows where it came from
PLATFORM_MARKS = {"telegram": "✈️", "discord": "🎮", "web": "🌐", "console": "⌨️"}
_VIEWER: ContextVar[str | None] = ContextVar("articlebot_viewer", default=None)


@contextlib.contextmanager
def viewing_from(platform: str) -> Iterator[None]:
    """Comments are shown to a room of `platform` meanwhile."""
    token = _VIEWER.set(platform)
    try:
        yield
    finally:
        _VIEWER.reset(token)


def author_label(comment: Comment) -> str:
    platform = comment.author_key.partition(":")[0]
    viewer = _VIEWER.get()
    mark = PLATFORM_MARKS.get(platform) if viewer is not None and platform != viewer else None
    return f"{mark} {comment.author_name}" if mark else comment.author_name


def comment_header(comment: Comment, article: Article, now: float, *, show_section: bool, likes: int = 0
                   ) -> Paragraph:
    parts: list[str | Span] = [Span(f"#{comment.number}", Style.BOLD), " ", Span(author_label(comment), Style.BOLD)]
    meta = [ago(now - comment.created_at)]
    if likes:
        meta.append(f"👍 {likes}")
    if comment.parent_number:
        meta.append(f"↪ #{comment.parent_number}")
    if show_section:
        meta.append(_("on {section}").format(section=section_label(article, comment.section_key)))
    if comment.edited_at:
        meta.append(_("edited"))
    if comment.status is not Status.VISIBLE:
        status = _(STATUS_NAMES[comment.status])
        meta.append(f"{status}: {hold_reason(comment.hold_reason)}" if comment.hold_reason else status)
    parts.append(Span(" · " + " · ".join(meta), Style.ITALIC))
    return Paragraph.of(*parts)


_REPORTED = re.compile(r"reported (\d+) times")  # what the stores write when reports hide a comment


def hold_reason(stored: str) -> str:
    """Why a comment is held, in the reader's language: the stores write English (a catalog message, or
    "reported N times"), since a reason outlives the language of whoever caused it."""
    reported = _REPORTED.fullmatch(stored)
    if reported is not None:
        n = int(reported.group(1))
        return ngettext("reported {n} time", "reported {n} times", n).format(n=n)
    return _(stored)


def comment_blocks(comment: Comment, article: Article, now: float, *, show_section: bool, likes: int = 0
                   ) -> list[Block]:
    return [comment_header(comment, article, now, show_section=show_section, likes=likes), Quote(comment.text)]


def like_buttons(comments: Sequence[Comment]) -> tuple[tuple[Button, ...], ...]:
    """A 👍 for each listed comment, five to a row."""
    buttons = [Button(f"👍 #{c.number}", encode(Verb.LIKE, c.number)) for c in comments if c.status is Status.VISIBLE]
    return tuple(tuple(buttons[i:i + 5]) for i in range(0, len(buttons), 5))


def comments_page(
    article: Article,
    title: str,
    comments: Sequence[Comment],
    now: float,
    *,
    section_key: str | None,
    more_before: int | None,
    empty_hint: str,
    likes: dict[int, int] | None = None,
) -> Reply:
    """`likes` (comment id → likes) also puts a 👍 button under the list for each comment."""
    blocks: list[Block] = [Heading(title)]
    if not comments:
        blocks.append(Paragraph.of(empty_hint))
    for comment in comments:
        blocks.extend(comment_blocks(comment, article, now, show_section=section_key is None,
                                     likes=(likes or {}).get(comment.id, 0)))
    buttons: tuple[tuple[Button, ...], ...] = like_buttons(comments) if likes is not None else ()
    if more_before is not None:
        key = "*" if section_key is None else section_key
        buttons += ((Button(_("More ▶"), encode(Verb.COMMENTS, article.id, key, more_before)),),)
    return Reply(tuple(blocks), buttons)


def search_results(article: Article, query: str, hits: Sequence[SearchHit]) -> Reply:
    blocks: list[Block] = [Heading(_("Search: {query}").format(query=query))]
    rows: list[tuple[Button, ...]] = []
    for hit in hits:
        button: Button | None
        if hit.section_key == WHOLE_ARTICLE:
            blocks.append(Paragraph.of(Span(_("Introduction"), Style.BOLD)))
            button = Button(_("Open the introduction"), encode(Verb.SECTION, article.id, WHOLE_ARTICLE))
        else:
            section = article.section(hit.section_key)
            where = f"§{section.position} " if section else ""
            blocks.append(Paragraph.of(Span(where + hit.heading, Style.BOLD)))
            button = Button(_("Open §{position}").format(position=section.position),
                            encode(Verb.SECTION, article.id, section.key)) if section else None
        blocks.append(Paragraph(marked_spans(hit.snippet)))
        if button is not None and len(rows) < 5:
            rows.append((button,))
    return Reply(tuple(blocks), tuple(rows))


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
