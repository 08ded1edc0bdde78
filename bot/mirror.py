"""Mirroring: a room that asked (/mirror on) is shown the other linked rooms' new comments as they come, in one
message each, or several to a message when they come faster than a chat may be written to. Never its own
comments back. A mirrored comment that is edited, removed or shown again is edited in its copy too, and a reply
to the copy is a reply to the comment."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from bot.context import Services
from bot.i18n import ENGLISH, N_, _, speaking
from bot.ports import CHANGE_OVERLAP_SECONDS, Announcer, PlatformUnreachable
from bot.records import Article, Comment, Mirror, MirrorCopy, ModlogEntry, Status
from bot.types import Anchor, Block, Paragraph, Quote, Reply, Sent, Span, Style
from bot.views import author_label, section_label, viewing_from

log = logging.getLogger("articlebot.mirror")

HOLD_SECONDS = 30.0  # a mirror claimed by a process that died is taken over after this long
PER_ROUND = 50
# Telegram lets a bot write about 20 messages a minute to one group: a room gets at most one mirrored message
# every few seconds, and whatever came meanwhile goes in that one message
GAP_SECONDS = 3.0
MAX_BATCH = 8
BATCH_CHARS = 1200  # of comment text per message, shared by its comments: a batch fits Discord's 2,000 characters
MIN_PREVIEW = 150
# a room that refuses this many mirrored messages in a row (the bot was removed, or may not write there) stops
# being mirrored into, with a modlog line saying why, instead of being tried every few seconds for ever
GIVE_UP_AFTER = 20
CHANGES = 500
HIDDEN = N_("#{number} was removed by a moderator.")


def preview(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[:chars].rstrip() + "…"


def mirrored(comments: Sequence[Comment], articles: dict[int, Article], platform: str) -> Reply:
    """One message showing these comments as they are now (a hidden one as a line saying so)."""
    chars = max(MIN_PREVIEW, BATCH_CHARS // max(1, len(comments)))
    blocks: list[Block] = []
    with viewing_from(platform):
        for comment in comments:
            if comment.status is not Status.VISIBLE:
                blocks.append(Paragraph.of(Span(_(HIDDEN).format(number=comment.number), Style.ITALIC)))
                continue
            article = articles.get(comment.article_id)
            meta = [section_label(article, comment.section_key)] if article is not None else []
            if comment.parent_number:
                meta.append(f"↪ #{comment.parent_number}")
            if comment.edited_at:
                meta.append(_("edited"))
            blocks.append(Paragraph.of("🔁 ", Span(f"#{comment.number}", Style.BOLD), " ",
                                       Span(author_label(comment), Style.BOLD),
                                       Span(" · " + " · ".join(meta), Style.ITALIC) if meta else ""))
            blocks.append(Quote(preview(comment.text, chars)))
    only = comments[0] if len(comments) == 1 else None
    anchor = Anchor(only.article_id, only.section_key, only.number) if only is not None else None
    return Reply(tuple(blocks), anchor=anchor)


class MirrorSender:
    def __init__(self, services: Services, announcer: Announcer, holder: str) -> None:
        self.services = services
        self.announcer = announcer
        self.holder = holder
        self._refused: dict[str, int] = {}  # room key -> messages refused in a row, in this process

    async def send_due(self) -> int:
        """Posts and edits what is due in every mirroring room this process could claim; returns how many."""
        store = self.services.store
        now = self.services.clock.now()
        due = await store.mirrors_due(now, self.holder, HOLD_SECONDS, PER_ROUND)
        for mirror in due:
            try:
                await self._mirror(mirror, now)
            except Exception:  # one room that cannot be written to must not hold up the others; retried later
                log.exception("could not mirror comments into %s", mirror.room_key)
                await store.mirror_done(mirror.room_key, self.holder, mirror.cursor, now, ())
                await self._refusal(mirror.room_key, now)
        return len(due)

    async def _refusal(self, room_key: str, now: float) -> None:
        refused = self._refused[room_key] = self._refused.get(room_key, 0) + 1
        if refused < GIVE_UP_AFTER:
            return
        del self._refused[room_key]
        discussion = await self.services.store.discussion_of(room_key)
        log.warning("stopped mirroring into %s: %d messages in a row could not be sent there", room_key, refused)
        await self.services.store.set_mirror(room_key, discussion, False, ModlogEntry(
            discussion, now, "system", "mirror", "off", f"the room refused {refused} messages in a row"))

    async def _mirror(self, mirror: Mirror, now: float) -> None:
        store = self.services.store
        discussion = await store.discussion_of(mirror.room_key)
        changes = await store.comment_changes(discussion, mirror.cursor - CHANGE_OVERLAP_SECONDS, CHANGES)
        copies = await store.mirror_copies(mirror.room_key, [c.id for c, _at in changes])
        platform = mirror.room_key.partition(":")[0]
        chat_language = (await store.languages(discussion, ""))[0] or ENGLISH  # settings are the discussion's
        done: list[MirrorCopy] = []
        stale = {copies[c.id].message_id for c, at in changes if c.id in copies and at > copies[c.id].shown_at}
        changed = {c.id: at for c, at in changes}
        with speaking(chat_language):
            for message_id in sorted(stale):
                done.extend(await self._edit(mirror.room_key, discussion, message_id, platform, changed))
            fresh = [(c, at) for c, at in changes if c.id not in copies and c.status is Status.VISIBLE
                     and c.room_key != mirror.room_key and c.number > mirror.after_number]
            sent_at: float | None = None
            batch = fresh[:MAX_BATCH] if now - mirror.last_sent >= GAP_SECONDS else []
            if batch:
                reply = mirrored([c for c, _at in batch], await self._articles_of(c for c, _at in batch), platform)
                try:
                    sent = await self.announcer.announce(mirror.room_key, reply)
                except PlatformUnreachable:  # not the room refusing: the same comments go in a later round
                    log.info("could not reach %s to mirror %d comments; will try again", mirror.room_key, len(batch))
                    batch = []
                else:
                    sent_at = now
                    if sent is None:
                        log.info("could not mirror %d comments into %s", len(batch), mirror.room_key)
                        await self._refusal(mirror.room_key, now)
                    else:
                        self._refused.pop(mirror.room_key, None)
                        done.extend(MirrorCopy(c.id, c.number, sent.message_id, at) for c, at in batch)
        waiting = fresh[len(batch):]
        # the next round reads again from the first comment still waiting, else from the last change read
        cursor = waiting[0][1] if waiting else max([mirror.cursor, *(at for _c, at in changes)])
        await store.mirror_done(mirror.room_key, self.holder, cursor, sent_at, done)

    async def _edit(self, room_key: str, discussion: str, message_id: str, platform: str,
                    changed: dict[int, float]) -> list[MirrorCopy]:
        store = self.services.store
        shown = await store.message_copies(room_key, message_id)
        comments = [c for c in [await store.comment(discussion, copy.number) for copy in shown] if c is not None]
        if comments:
            await self.announcer.edit(Sent(room_key, message_id),
                                      mirrored(comments, await self._articles_of(comments), platform))
        return [MirrorCopy(copy.comment_id, copy.number, message_id, max(copy.shown_at, changed.get(
            copy.comment_id, copy.shown_at))) for copy in shown]

    async def _articles_of(self, comments: Iterable[Comment]) -> dict[int, Article]:
        articles: dict[int, Article] = {}
        for comment in comments:
            if comment.article_id not in articles:
                article = await self.services.store.get_article(comment.article_id)
                if article is not None:
                    articles[comment.article_id] = article
        return articles
