"""Polling followed feeds: each due feed is claimed (so of several processes exactly one polls it), fetched
conditionally, and each post the chat has not been shown is imported and announced there, oldest first.

A feed that fails is polled again later and later (doubling, up to a day); one that asks for a pause (429
with Retry-After) gets it. A post is known by its entry id and by its link, and announced once."""

from __future__ import annotations

import asyncio
import html
import logging
from dataclasses import replace

from bot import views
from bot.article import ParsedArticle, slugify
from bot.commands.feeds import feed_name
from bot.commands.transfer import PAGE_SUFFIX, slug_from_link, source_of
from bot.context import Services
from bot.errors import BotError, RetryLater
from bot.i18n import ENGLISH, _, speaking
from bot.importer import parse_article
from bot.ports import Announcer, PlatformUnreachable
from bot.records import FeedEntry, FeedFollow, FetchedPage
from bot.types import Paragraph, Reply, text_reply

log = logging.getLogger("articlebot.feeds")

HOLD_SECONDS = 300.0  # a claim outlives a poll; a process that dies mid-poll frees its feeds after this
MAX_BACKOFF_SECONDS = 86_400.0
MAX_NEW_PER_POLL = 5  # a feed that suddenly lists many new posts announces its newest few, not a flood
UNREACHABLE_RETRY_SECONDS = 60.0  # a post no room could be reached for is tried again this soon
CLAIMS_PER_ROUND = 20


class FeedPoller:
    def __init__(self, services: Services, announcer: Announcer, *, holder: str) -> None:
        self.services = services
        self.announcer = announcer
        self.holder = holder

    @property
    def interval(self) -> float:
        return self.services.feed_poll_seconds

    async def poll_due(self) -> int:
        """Polls every feed that is due now; returns how many posts were announced."""
        store = self.services.store
        now = self.services.clock.now()
        announced = 0
        for follow in await store.claim_due_feeds(now, self.holder, HOLD_SECONDS, CLAIMS_PER_ROUND):
            try:
                announced += await self._poll(follow, now)
            except Exception:  # one feed's trouble never stops the others
                log.exception("polling the feed %s for %s failed", follow.url, follow.chat_key)
                await store.feed_polled(self._failed(follow, now), (), now)
        return announced

    def _failed(self, follow: FeedFollow, now: float, wait: float | None = None) -> FeedFollow:
        failures = follow.failures + 1
        backoff = min(self.interval * 2 ** min(failures, 16), MAX_BACKOFF_SECONDS)
        return replace(follow, failures=failures, next_poll=now + max(backoff, wait or 0.0))

    async def _poll(self, follow: FeedFollow, now: float) -> int:
        source, store = self.services.feeds, self.services.store
        if source is None:
            return 0
        try:
            feed = await source.fetch_feed(follow.url, etag=follow.etag, last_modified=follow.modified)
        except RetryLater as err:
            log.info("the feed %s asks to wait %.0f s", follow.url, err.seconds)
            await store.feed_polled(self._failed(follow, now, err.seconds), (), now)
            return 0
        except BotError as err:
            if follow.failures == 0:  # once per run of failures, not once per poll
                log.warning("the feed %s for %s could not be fetched: %s", follow.url, follow.chat_key, err)
            await store.feed_polled(self._failed(follow, now), (), now)
            return 0
        polled = replace(follow, failures=0, next_poll=now + self.interval,
                         etag=feed.etag or follow.etag, modified=feed.last_modified or follow.modified,
                         title=feed.title or follow.title)
        if feed.unchanged:
            await store.feed_polled(polled, (), now)
            return 0
        keys = [key for entry in feed.entries for key in (entry.key, entry.link) if key]
        unseen = set(await store.unseen_entries(follow.chat_key, follow.url, keys))
        new = [e for e in feed.entries if e.key in unseen and (e.link is None or e.link in unseen)]
        seen = [key for entry in new for key in (entry.key, entry.link) if key]
        announced = 0
        held: set[str] = set()
        for entry in reversed(new[:MAX_NEW_PER_POLL]):  # oldest first, as they were posted
            try:
                announced += await self._announce(polled, entry)
            except PlatformUnreachable:  # no room could be reached: the post stays new for a poll soon
                held.update(key for key in (entry.key, entry.link) if key)
        if held:  # asked again without validators, or a 304 would hide the held posts
            polled = replace(polled, etag=None, modified=None,
                             next_poll=now + min(self.interval, UNREACHABLE_RETRY_SECONDS))
        await store.feed_polled(polled, [key for key in seen if key not in held], now)
        return announced

    async def _announce(self, follow: FeedFollow, entry: FeedEntry) -> int:
        store = self.services.store
        chat_language, _person = await store.languages(follow.chat_key, "")
        with speaking(chat_language or ENGLISH):
            try:
                parsed, page = await self._article(entry)
            except BotError as err:
                log.info("a post of %s could not be imported (%s): announced as a link", follow.url, err)
                lines = [_("📰 New in “{feed}”: {title}").format(feed=feed_name(follow), title=entry.title)]
                if entry.link:
                    lines.append(entry.link)
                lines.append(_("(It could not be read as an article.)"))
                return await self._tell(follow, text_reply(*lines))
            slug = slugify(slug_from_link(entry.link) if entry.link else entry.title) or slugify(parsed.title)
            now = self.services.clock.now()
            saved = await store.save_article(slug, parsed, now)
            await store.set_article_source(saved.id, source_of(page))
            if follow.switch:
                await store.set_chat_article(follow.chat_key, saved.id)
            article = await store.get_article(saved.id)
            if article is None:
                return 0
            overview = views.overview(article, {}, intro=True)
            head = Paragraph.of(_("📰 New in “{feed}”:").format(feed=feed_name(follow)))
            if follow.switch:  # the chat reads it now: its buttons and replies work here
                reply = Reply((head, *overview.blocks), overview.buttons, anchor=overview.anchor)
            else:
                tail = Paragraph.of(_("Read it here with /article {slug}.").format(slug=article.slug))
                reply = Reply((head, *overview.blocks, tail))
            return await self._tell(follow, reply)

    async def _tell(self, follow: FeedFollow, reply: Reply) -> int:
        """Announces in the chat that follows the feed and in every room sharing its discussion (/link); 1 when
        any of them heard it."""
        rooms = [follow.chat_key, *(key for key, _title in await self.services.store.linked_rooms(follow.chat_key))]
        heard = [await self._heard_in(room, reply) for room in rooms]
        if not any(heard) and None in heard:
            raise PlatformUnreachable(follow.chat_key)  # nobody heard it for now: tried again at the next poll
        return int(any(heard))

    async def _heard_in(self, room: str, reply: Reply) -> bool | None:
        """True when the room got it, False when it refused, None when it could not be reached for now."""
        try:
            return await self.announcer.announce(room, reply) is not None
        except PlatformUnreachable:
            log.info("could not reach %s to announce a feed's post", room)
            return None

    async def _article(self, entry: FeedEntry) -> tuple[ParsedArticle, FetchedPage | None]:
        """The post as an article: from the feed when it carries the whole post, else from its page."""
        limit = self.services.import_max_bytes
        if entry.content_html:
            page_html = (f"<html><head><title>{html.escape(entry.title)}</title></head><body><article>"
                         f"<h1>{html.escape(entry.title)}</h1>{entry.content_html}</article></body></html>")
            parsed = await asyncio.to_thread(parse_article, page_html.encode(), filename="post.html", max_bytes=limit)
            page = None if entry.link is None else FetchedPage(entry.link, "html", "")
            return parsed, page
        pages = self.services.pages
        if entry.link is None or pages is None:
            raise BotError("That page could not be read as an article.")
        page = await pages.fetch_page(entry.link)
        if page.kind not in PAGE_SUFFIX:
            raise BotError("That page could not be read as an article.")
        data = page.text.encode()
        parsed = await asyncio.to_thread(parse_article, data, filename=f"page{PAGE_SUFFIX[page.kind]}",
                                         max_bytes=max(limit, len(data)))
        return parsed, page
