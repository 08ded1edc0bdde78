"""Articles, sections and full-text search."""

from __future__ import annotations

import json
import re
import sqlite3

from bot.article import ParsedArticle
from bot.records import (
    MARK_END,
    MARK_START,
    Article,
    ArticleSource,
    ArticleSummary,
    Position,
    SavedArticle,
    SearchHit,
    Section,
)
from storage.behind import WriteBehind
from storage.caches import ReadCaches
from storage.connection import Database
from storage.substring import merged


def _section(row: sqlite3.Row) -> Section:
    return Section(row["key"], row["position"], row["heading"], tuple(json.loads(row["body"])))


def fts_query(text: str) -> str | None:
    """User words as an FTS5 query that cannot be a syntax error: each word a quoted prefix term."""
    words = re.findall(r"\w+", text, flags=re.UNICODE)
    if not words:
        return None
    return " ".join('"' + w.replace('"', '""') + '"*' for w in words[:12])


class ArticleQueries(ReadCaches):
    db: Database
    behind: WriteBehind

    async def save_article(self, slug: str, article: ParsedArticle, now: float) -> SavedArticle:
        def work(db: sqlite3.Connection) -> SavedArticle:
            row = db.execute("SELECT id FROM articles WHERE slug = ?", (slug,)).fetchone()
            intro = json.dumps(list(article.intro), ensure_ascii=False)
            if row is None:
                cur = db.execute(
                    "INSERT INTO articles(slug, title, byline, intro, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (slug, article.title, article.byline, intro, now, now),
                )
                article_id = int(cur.lastrowid or 0)
                created = True
            else:
                article_id = int(row[0])
                created = False
                db.execute(
                    "UPDATE articles SET title = ?, byline = ?, intro = ?, updated_at = ? WHERE id = ?",
                    (article.title, article.byline, intro, now, article_id),
                )
            # sections that vanish stay as position 0 so their comments keep a heading to show
            db.execute("UPDATE sections SET position = 0 WHERE article_id = ?", (article_id,))
            db.execute("DELETE FROM section_fts WHERE article_id = ?", (article_id,))
            for position, section in enumerate(article.sections, start=1):
                body = json.dumps(list(section.paragraphs), ensure_ascii=False)
                db.execute(
                    "INSERT INTO sections(article_id, key, position, heading, body) VALUES (?, ?, ?, ?, ?)"
                    " ON CONFLICT(article_id, key) DO UPDATE SET position = excluded.position,"
                    " heading = excluded.heading, body = excluded.body",
                    (article_id, section.key, position, section.heading, body),
                )
                db.execute(
                    "INSERT INTO section_fts(heading, body, article_id, key) VALUES (?, ?, ?, ?)",
                    (section.heading, "\n\n".join(section.paragraphs), article_id, section.key),
                )
            orphaned = tuple(r[0] for r in db.execute(
                "SELECT DISTINCT s.key FROM sections s JOIN comments c"
                " ON c.article_id = s.article_id AND c.section_key = s.key"
                " WHERE s.article_id = ? AND s.position = 0 ORDER BY s.key",
                (article_id,),
            ))
            db.execute("DELETE FROM sections WHERE article_id = ? AND position = 0 AND key NOT IN"
                       " (SELECT DISTINCT section_key FROM comments WHERE article_id = ?)",
                       (article_id, article_id))
            return SavedArticle(article_id, created, orphaned)

        saved = await self.db.transaction(work)
        self._article_cache.pop(saved.id, None)
        self._chat_articles.clear()  # it may be the newest now, or have a new version
        return saved

    async def list_articles(self) -> list[ArticleSummary]:
        rows = await self.db.fetchall(
            "SELECT a.id, a.slug, a.title,"
            " (SELECT count(*) FROM sections s WHERE s.article_id = a.id AND s.position > 0) AS n"
            " FROM articles a ORDER BY a.id"
        )
        return [ArticleSummary(r["id"], r["slug"], r["title"], r["n"]) for r in rows]

    def _load_row(self, db: sqlite3.Connection, row: sqlite3.Row | None) -> Article | None:
        """The article of an `articles` row; its sections are read only when the article changed."""
        if row is None:
            return None
        cached = self.cached_article(row["id"], row["updated_at"])
        if cached is not None:
            return cached
        sections = db.execute(
            "SELECT key, position, heading, body FROM sections WHERE article_id = ? AND position > 0 ORDER BY position",
            (row["id"],),
        ).fetchall()
        article = Article(
            id=row["id"],
            slug=row["slug"],
            title=row["title"],
            byline=row["byline"],
            intro=tuple(json.loads(row["intro"])),
            sections=tuple(_section(s) for s in sections),
            source=row["source_url"],
        )
        self.remember_article(row["updated_at"], article)
        return article

    async def _load(self, where: str, param: object) -> Article | None:
        return await self.db.read(
            lambda db: self._load_row(db, db.execute(f"SELECT * FROM articles WHERE {where} = ?", (param,)).fetchone()))

    async def reading_state(self, chat_key: str, user_key: str) -> tuple[Article | None, Position | None]:
        # Asked on nearly every event: served from memory when this process already knows the answer.
        hit = self.cached_state(chat_key, user_key)
        if hit is not None:
            return hit

        def work(db: sqlite3.Connection) -> tuple[Article | None, Position | None]:
            # id and version first: on the usual cache hit the article's text is not read at all
            found = db.execute(
                "SELECT a.id, a.updated_at FROM chats c JOIN articles a ON a.id = c.article_id WHERE c.chat_key = ?",
                (chat_key,),
            ).fetchone() or db.execute("SELECT id, updated_at FROM articles ORDER BY id DESC LIMIT 1").fetchone()
            where = db.execute("SELECT article_id, section_key FROM positions WHERE chat_key = ? AND user_key = ?",
                               (chat_key, user_key)).fetchone()
            position = self.behind.positions.get((chat_key, user_key))  # newer than the table until flushed
            if position is None and where is not None:
                position = Position(where[0], where[1])
            # remembered in the same synchronous step as the read, so a newer write cannot be overtaken
            self.remember_position(chat_key, user_key, position)
            if found is None:
                return None, position
            self.remember_chat_article(chat_key, int(found[0]), float(found[1]))
            cached = self.cached_article(found[0], found[1])
            if cached is not None:
                return cached, position
            row = db.execute("SELECT * FROM articles WHERE id = ?", (found[0],)).fetchone()
            return self._load_row(db, row), position

        return await self.db.read(work)

    async def get_article(self, article_id: int) -> Article | None:
        return await self._load("id", article_id)

    async def set_article_source(self, article_id: int, source: ArticleSource | None) -> None:
        url, etag, modified = (source.url, source.etag, source.last_modified) if source else (None, None, None)

        def work(db: sqlite3.Connection) -> None:
            # updated_at moves too: cached copies of the article (and its source line) are read again
            db.execute("UPDATE articles SET source_url = ?, source_etag = ?, source_modified = ?,"
                       " updated_at = updated_at + 1e-6 WHERE id = ?", (url, etag, modified, article_id))

        await self.db.transaction(work)
        self._article_cache.pop(article_id, None)

    async def article_source(self, article_id: int) -> ArticleSource | None:
        row = await self.db.fetchone("SELECT source_url, source_etag, source_modified FROM articles WHERE id = ?",
                                     (article_id,))
        if row is None or row[0] is None:
            return None
        return ArticleSource(row[0], row[1], row[2])


    async def orphaned_sections(self, article_id: int) -> list[tuple[str, str]]:
        rows = await self.db.fetchall(
            "SELECT key, heading FROM sections WHERE article_id = ? AND position = 0 ORDER BY key",
            (article_id,),
        )
        return [(r["key"], r["heading"]) for r in rows]

    async def search(self, article_id: int, query: str, limit: int) -> list[SearchHit]:
        match = fts_query(query)
        if match is None:
            return []
        rows = await self.db.fetchall(
            "SELECT key, heading, snippet(section_fts, 1, ?, ?, '…', 16) AS snip FROM section_fts"
            " WHERE section_fts MATCH ? AND article_id = ? ORDER BY rank LIMIT ?",
            (MARK_START, MARK_END, match, article_id, limit),
        )
        hits = [SearchHit(r["key"], r["heading"], r["snip"]) for r in rows]
        # the intro is not indexed, and Chinese inside a run of Chinese is one index term: see substring.py
        return merged(hits, await self.get_article(article_id), query, limit)
