"""Articles, sections and full-text search on PostgreSQL (a generated tsvector column with a GIN index)."""

from __future__ import annotations

import json
import re
from typing import Any, cast

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
from storage.postgres.database import Conn, PgDatabase, one
from storage.substring import merged

ARTICLE_COLUMNS = "id, slug, title, byline, intro, updated_at, source_url"
SEARCH_WORDS = 12
# ts_headline's options: the snippet marks, about as many words as SQLite's snippet() gives
HEADLINE = f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxWords=16, MinWords=6, ShortWord=0'
SEARCH_SQL = (
    "SELECT key, heading, ts_headline('simple', array_to_string(ARRAY(SELECT json_array_elements_text(body::json)),"
    " E'\\n\\n'), q, %(headline)s) FROM sections, to_tsquery('simple', %(query)s) q"
    " WHERE article_id = %(article)s AND position > 0 AND search @@ q"
    " ORDER BY ts_rank(search, q) DESC, position LIMIT %(limit)s"
)
STATE_SQL = (
    # which article the chat reads (its choice, else the newest), and where this reader is: one round trip
    "SELECT a.id, a.updated_at, p.article_id, p.section_key FROM (SELECT 1) one"
    " LEFT JOIN articles a ON a.id = coalesce((SELECT c.article_id FROM chats c JOIN articles x"
    "   ON x.id = c.article_id WHERE c.chat_key = %(chat)s), (SELECT max(id) FROM articles))"
    " LEFT JOIN positions p ON p.chat_key = %(chat)s AND p.user_key = %(user)s"
)
_UNSET = object()


def ts_query(text: str) -> str | None:
    """User words as a tsquery that cannot be a syntax error: each word a quoted prefix term, all required."""
    words = re.findall(r"\w+", text, flags=re.UNICODE)
    if not words:
        return None
    return " & ".join("'" + w.casefold() + "':*" for w in words[:SEARCH_WORDS])


class PgArticleQueries(ReadCaches):
    db: PgDatabase
    behind: WriteBehind

    async def save_article(self, slug: str, article: ParsedArticle, now: float) -> SavedArticle:
        intro = json.dumps(list(article.intro), ensure_ascii=False)

        async def work(conn: Conn) -> SavedArticle:
            row = await one(conn,
                "INSERT INTO articles(slug, title, byline, intro, created_at, updated_at)"
                " VALUES (%s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (slug) DO UPDATE SET title = excluded.title, byline = excluded.byline,"
                " intro = excluded.intro, updated_at = excluded.updated_at RETURNING id, xmax = 0",
                (slug, article.title, article.byline, intro, now, now))
            assert row is not None
            article_id, created = int(row[0]), bool(row[1])
            # sections that vanish stay as position 0 so their comments keep a heading to show
            await conn.execute("UPDATE sections SET position = 0 WHERE article_id = %s", (article_id,))
            async with conn.cursor() as cur:
                await cur.executemany(
                    "INSERT INTO sections(article_id, key, position, heading, body) VALUES (%s, %s, %s, %s, %s)"
                    " ON CONFLICT (article_id, key) DO UPDATE SET position = excluded.position,"
                    " heading = excluded.heading, body = excluded.body",
                    [(article_id, s.key, position, s.heading, json.dumps(list(s.paragraphs), ensure_ascii=False))
                     for position, s in enumerate(article.sections, start=1)])
            cur = await conn.execute(
                "SELECT DISTINCT s.key FROM sections s JOIN comments c"
                " ON c.article_id = s.article_id AND c.section_key = s.key"
                " WHERE s.article_id = %s AND s.position = 0 ORDER BY s.key", (article_id,))
            orphaned = tuple(r[0] for r in await cur.fetchall())
            await conn.execute("DELETE FROM sections WHERE article_id = %s AND position = 0 AND key NOT IN"
                               " (SELECT DISTINCT section_key FROM comments WHERE article_id = %s)",
                               (article_id, article_id))
            return SavedArticle(article_id, created, orphaned)

        saved = await self.db.transaction(work)
        await self.tell_others(None, "article", [str(saved.id)])
        self._article_cache.pop(saved.id, None)
        self._chat_articles.clear()  # it may be the newest now, or have a new version
        return saved

    async def list_articles(self) -> list[ArticleSummary]:
        rows = await self.db.fetchall(
            "SELECT a.id, a.slug, a.title,"
            " (SELECT count(*) FROM sections s WHERE s.article_id = a.id AND s.position > 0)"
            " FROM articles a ORDER BY a.id")
        return [ArticleSummary(r[0], r[1], r[2], r[3]) for r in rows]

    async def _article(self, row: tuple[Any, ...] | None) -> Article | None:
        """The article of an `articles` row; its sections are read only when the article changed."""
        if row is None:
            return None
        article_id, slug, title, byline, intro, updated_at, source = row
        cached = self.cached_article(article_id, updated_at)
        if cached is not None:
            return cached
        sections = await self.db.fetchall(
            "SELECT key, position, heading, body FROM sections WHERE article_id = %s AND position > 0"
            " ORDER BY position", (article_id,))
        article = Article(id=article_id, slug=slug, title=title, byline=byline, intro=tuple(json.loads(intro)),
                          sections=tuple(Section(k, p, h, tuple(json.loads(b))) for k, p, h, b in sections),
                          source=source)
        self.remember_article(updated_at, article)
        return article

    async def get_article(self, article_id: int) -> Article | None:
        return await self._article(
            await self.db.fetchone(f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE id = %s", (article_id,)))

    async def reading_state(self, chat_key: str, user_key: str) -> tuple[Article | None, Position | None]:
        hit = self.cached_state(chat_key, user_key)
        if hit is not None:
            return hit
        where = (chat_key, user_key)
        before = self._positions.get(where, _UNSET)
        row = await self.db.fetchone(STATE_SQL, {"chat": chat_key, "user": user_key})
        assert row is not None
        article_id, updated_at, position_article, section_key = row
        position = self.behind.positions.get(where)  # newer than the table until flushed
        known = self._positions.get(where, _UNSET)
        # set by this process while the read was on its way: newer (unless the caches were dropped meanwhile:
        # another process's notice, or a lost listener, empties them at any await)
        if known is not before and known is not _UNSET:
            position = cast(Position | None, known)
        elif position is None and position_article is not None:
            position = Position(position_article, section_key)
        self.remember_position(chat_key, user_key, position)
        if article_id is None:
            return None, position
        self.remember_chat_article(chat_key, article_id, updated_at)
        cached = self.cached_article(article_id, updated_at)
        if cached is not None:
            return cached, position
        return await self.get_article(article_id), position

    async def set_article_source(self, article_id: int, source: ArticleSource | None) -> None:
        url, etag, modified = (source.url, source.etag, source.last_modified) if source else (None, None, None)
        # updated_at moves too: cached copies of the article (and its source line) are read again
        await self.db.execute("UPDATE articles SET source_url = %s, source_etag = %s, source_modified = %s,"
                              " updated_at = updated_at + 1e-6 WHERE id = %s", (url, etag, modified, article_id))
        self._article_cache.pop(article_id, None)

    async def article_source(self, article_id: int) -> ArticleSource | None:
        row = await self.db.fetchone(
            "SELECT source_url, source_etag, source_modified FROM articles WHERE id = %s", (article_id,))
        if row is None or row[0] is None:
            return None
        return ArticleSource(row[0], row[1], row[2])

    async def orphaned_sections(self, article_id: int) -> list[tuple[str, str]]:
        rows = await self.db.fetchall(
            "SELECT key, heading FROM sections WHERE article_id = %s AND position = 0 ORDER BY key", (article_id,))
        return [(r[0], r[1]) for r in rows]

    async def search(self, article_id: int, query: str, limit: int) -> list[SearchHit]:
        match = ts_query(query)
        if match is None:
            return []
        rows = await self.db.fetchall(SEARCH_SQL, {"headline": HEADLINE, "query": match, "article": article_id,
                                                   "limit": limit})
        hits = [SearchHit(r[0], r[1], r[2]) for r in rows]
        # the intro is not indexed, and Chinese inside a run of Chinese is one index term: see substring.py
        return merged(hits, await self.get_article(article_id), query, limit)
