"""Sending /subscribe's private messages: everything queued for a person since their last message, in one
message, at most one a minute. A person the platform won't let the bot write to first (a Telegram user who
never opened the bot) is told once, in the chat they subscribed in, how to open it."""

from __future__ import annotations

import logging

from bot.context import Services
from bot.i18n import ENGLISH, _, ngettext, speaking
from bot.ports import Announcer, PlatformUnreachable
from bot.records import Comment
from bot.types import Paragraph, Quote, Reply, Span, Style, text_reply

log = logging.getLogger("articlebot.digests")

GAP_SECONDS = 60.0  # at most one private message a minute per person
PER_ROUND = 50
SHOWN = 10  # comments quoted in one message; the rest are counted
PREVIEW = 200


class DigestSender:
    def __init__(self, services: Services, announcer: Announcer) -> None:
        self.services = services
        self.announcer = announcer

    async def send_due(self) -> int:
        """Sends every digest that is due; returns how many people were written to."""
        store = self.services.store
        now = self.services.clock.now()
        sent = 0
        for user_key, comments in await store.due_digests(now, GAP_SECONDS, PER_ROUND):
            if not comments:  # everything queued was hidden meanwhile
                continue
            _chat, own = await store.languages("", user_key)
            with speaking(own or ENGLISH):
                try:
                    reached = await self.announcer.announce_privately(user_key, digest(comments)) is not None
                except PlatformUnreachable:  # queued again: it goes with the next one
                    await store.digest_again(user_key, [c.id for c in comments], now)
                    continue
            if await store.digest_sent(user_key, now, reached):
                await self._cannot_reach(user_key, comments[-1])
            sent += reached
        return sent

    async def _cannot_reach(self, user_key: str, last: Comment) -> None:
        store = self.services.store
        chat_language, _own = await store.languages(last.chat_key, "")
        name = await store.user_name(user_key) or user_key
        link = self.announcer.start_link(user_key)
        with speaking(chat_language or ENGLISH):
            if link:
                text = _("I can't write to {name} first: open {link} and press Start, and your subscription "
                         "messages will come.").format(name=name, link=link)
            else:
                text = _("I can't write to {name} privately: allow direct messages from this server's members "
                         "to get your subscription messages.").format(name=name)
            try:
                await self.announcer.announce(last.chat_key, text_reply(text))
            except PlatformUnreachable:
                log.info("could not reach %s to say that %s cannot be written to", last.chat_key, user_key)


def digest(comments: list[Comment]) -> Reply:
    n = len(comments)
    blocks: list[Paragraph | Quote] = [Paragraph.of(Span(ngettext(
        "🔔 {n} new comment where you subscribed:", "🔔 {n} new comments where you subscribed:", n).format(n=n),
        Style.BOLD))]
    for comment in comments[:SHOWN]:
        blocks.append(Paragraph.of(Span(f"#{comment.number} {comment.author_name}", Style.BOLD)))
        text = comment.text if len(comment.text) <= PREVIEW else comment.text[:PREVIEW] + "…"
        blocks.append(Quote(text))
    if n > SHOWN:
        blocks.append(Paragraph.of(ngettext("…and {n} more. /comments shows them all.",
                                            "…and {n} more. /comments shows them all.", n - SHOWN).format(
            n=n - SHOWN)))
    return Reply(tuple(blocks))
