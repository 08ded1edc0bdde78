"""A chat's discussion as JSON, CSV or Markdown (the article with its comments under each section)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from bot.i18n import _
from bot.ports import Store
from bot.records import WHOLE_ARTICLE, Article, Comment, Status
from bot.views import STATUS_NAMES

FORMATS = ("json", "csv", "md")
BATCH = 500


async def chat_comments(store: Store, chat_key: str) -> AsyncIterator[Comment]:
    after = 0
    while True:
        rows = await store.all_comments(chat_key, after, BATCH)
        for row in rows:
            yield row
        if len(rows) < BATCH:
            return
        after = rows[-1].number


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds")


def _record(c: Comment, headings: dict[str, str]) -> dict[str, object]:
    return {
        "number": c.number,
        "article_id": c.article_id,
        "section_key": c.section_key or None,
        "section": headings.get(c.section_key, "(article)" if c.section_key == WHOLE_ARTICLE else c.section_key),
        "reply_to": c.parent_number,
        "author_key": c.author_key,
        "author": c.author_name,
        "status": c.status.value,
        "created_at": _when(c.created_at),
        "edited_at": _when(c.edited_at) if c.edited_at else None,
        "text": c.text,
    }


async def export_chat(store: Store, chat_key: str, article: Article, fmt: str) -> tuple[str, bytes, str]:
    """Returns (file name, content, MIME type)."""
    headings = {s.key: s.heading for s in article.sections}
    headings.update(dict(await store.orphaned_sections(article.id)))
    rows = [c async for c in chat_comments(store, chat_key)]
    base = f"{article.slug}-comments"
    if fmt == "json":
        data = {"article": {"slug": article.slug, "title": article.title}, "chat": chat_key,
                "comments": [_record(c, headings) for c in rows]}
        return f"{base}.json", json.dumps(data, ensure_ascii=False, indent=2).encode(), "application/json"
    if fmt == "csv":
        out = io.StringIO()
        fields = list(_record(rows[0], headings)) if rows else ["number", "section", "author", "status", "text"]
        writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        for c in rows:
            writer.writerow(_record(c, headings))
        return f"{base}.csv", out.getvalue().encode("utf-8"), "text/csv"
    return f"{article.slug}.md", markdown(article, [c for c in rows if c.article_id == article.id]).encode(), \
        "text/markdown"


def _quote(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.splitlines() or [""])


def markdown(article: Article, comments: list[Comment]) -> str:
    by_section: dict[str, list[Comment]] = {}
    for c in comments:
        by_section.setdefault(c.section_key, []).append(c)
    out = [f"# {article.title}", ""]
    if article.byline:
        out += ["*" + _("By {byline}").format(byline=article.byline) + "*", ""]
    out += [p + "\n" for p in article.intro]

    def discussion(key: str) -> list[str]:
        lines: list[str] = []
        for c in by_section.get(key, []):
            status = "" if c.status is Status.VISIBLE else f" [{_(STATUS_NAMES[c.status])}]"
            reply = f" ↪ #{c.parent_number}" if c.parent_number else ""
            lines += [f"**#{c.number} {c.author_name}**{reply} · {_when(c.created_at)}{status}", "",
                      _quote(c.text), ""]
        return ["#### " + _("Discussion"), "", *lines] if lines else []

    out += discussion(WHOLE_ARTICLE)
    for s in article.sections:
        out += [f"## {s.heading}", ""] + [p + "\n" for p in s.paragraphs] + discussion(s.key)
    live = {s.key for s in article.sections} | {WHOLE_ARTICLE}
    for key in sorted(k for k in by_section if k not in live):
        out += ["## " + _("{heading} (section no longer in the article)").format(heading=key), ""] + discussion(key)
    return "\n".join(out).rstrip() + "\n"
