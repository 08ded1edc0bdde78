"""What a page shows, as plain data: the article's sections, each with its comments threaded by reply, and one
comment as the JSON a live page receives. Nothing here is markup; the template escapes every string."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.records import Article, Comment, Status
from bot.views import author_label, viewing_from

WHOLE_ARTICLE = ""  # the section key of comments on the article as a whole


@dataclass
class CommentNode:
    number: int
    parent: int | None
    author: str
    text: str
    at: str  # ISO 8601, UTC
    at_text: str
    edited: bool
    replies: list[CommentNode] = field(default_factory=list)
    names_parent: bool = False  # answers a comment shown elsewhere on the page (another section): "↪ #3" links it


@dataclass
class SectionView:
    key: str
    heading: str
    paragraphs: tuple[str, ...]
    comments: list[CommentNode]
    count: int


def when(timestamp: float) -> tuple[str, str]:
    moment = dt.datetime.fromtimestamp(timestamp, dt.UTC)
    return moment.isoformat(timespec="seconds"), moment.strftime("%Y-%m-%d %H:%M UTC")


def node(comment: Comment) -> CommentNode:
    with viewing_from("web"):  # every platform's comments carry its mark on the web
        author = author_label(comment)
    at, at_text = when(comment.created_at)
    return CommentNode(comment.number, comment.parent_number, author, comment.text, at, at_text,
                       comment.edited_at is not None)


def threads(comments: Iterable[Comment], shown: frozenset[int] = frozenset()) -> list[CommentNode]:
    """Top-level comments in order, each with its replies under it; a reply whose parent is not here stands on
    its own, naming its parent when that is `shown` elsewhere on the page (not when it is hidden)."""
    nodes = {c.number: node(c) for c in sorted(comments, key=lambda c: c.number)}
    roots: list[CommentNode] = []
    for item in nodes.values():
        parent = nodes.get(item.parent) if item.parent is not None else None
        if parent is not None and parent is not item:
            parent.replies.append(item)
        else:
            item.names_parent = item.parent is not None and item.parent in shown
            roots.append(item)
    return roots


def sections(article: Article, comments: Iterable[Comment], counts: dict[str, int] | None = None
             ) -> tuple[list[SectionView], SectionView]:
    """The article's live sections with their visible comments, and the comments on the whole article; each
    counted from `counts` (the store's, when the comments are one page of many), else from those given."""
    by_section: dict[str, list[Comment]] = {}
    for comment in comments:
        if comment.status is Status.VISIBLE and comment.article_id == article.id:
            by_section.setdefault(comment.section_key, []).append(comment)
    shown = frozenset(c.number for listed in by_section.values() for c in listed)

    def count(key: str) -> int:
        return counts.get(key, 0) if counts is not None else len(by_section.get(key, ()))

    views = [SectionView(s.key, s.heading, s.paragraphs, threads(by_section.get(s.key, ()), shown), count(s.key))
             for s in article.sections]
    whole = by_section.get(WHOLE_ARTICLE, [])
    return views, SectionView(WHOLE_ARTICLE, "", (), threads(whole, shown), count(WHOLE_ARTICLE))


def change(comment: Comment, changed_at: float) -> dict[str, object]:
    """One change as a live page receives it: a comment to show (again, or anew), or a number to hide."""
    if comment.status is not Status.VISIBLE:
        return {"n": comment.number, "hide": True, "v": changed_at}
    item = node(comment)
    return {"n": item.number, "section": comment.section_key, "parent": item.parent, "author": item.author,
            "text": item.text, "at": item.at, "atText": item.at_text, "edited": item.edited, "v": changed_at}
