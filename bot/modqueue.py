"""Sending the mod queue: each held comment and appeal to the moderators' chat and to the private messages of
the admins who asked (/modqueue), with buttons; once decided, every copy shows who decided what, and a comment
approved from elsewhere appears in its chat. Decisions and answers to appeals are told to their person."""

from __future__ import annotations

import logging

from bot import views
from bot.actions import Verb, encode
from bot.context import Services
from bot.i18n import ENGLISH, N_, _, speaking
from bot.ports import Announcer, PlatformUnreachable
from bot.records import OPEN, Comment, Review, ReviewKind
from bot.submit import stamp
from bot.types import Anchor, Block, Button, Heading, Paragraph, Quote, Reply, Sent, Span, Style

log = logging.getLogger("articlebot.modqueue")

HOLD_SECONDS = 60.0  # a claimed review is retried by another process after this long
GIVE_UP_SECONDS = 24 * 3600.0  # a card no platform took for this long is sent to nobody more
PER_ROUND = 20
PREVIEW = 1500  # a card is one message, so its buttons and its later edit stay together
MODQUEUE_CHAT = "modqueue_chat"  # chat settings: where the moderators' chat is, and its name
MODQUEUE_TITLE = "modqueue_title"

OUTCOMES = {
    "approved": N_("✅ Approved by {name}."), "rejected": N_("❌ Rejected by {name}."),
    "banned": N_("⛔ Rejected by {name}, who also banned its author."), "removed": N_("🚫 Removed by {name}."),
    "deleted": N_("Deleted by its author."), "accepted": N_("✅ Appeal accepted by {name}."),
    "upheld": N_("✋ Decision upheld by {name}."), "gone": N_("No longer waiting for review."),
}
APPEALED = {
    "remove": N_("{name} appeals against the removal of #{number}."),
    "reject": N_("{name} appeals against the rejection of #{number}."),
    "ban": N_("{name} appeals against their ban."),
}
TOLD = {
    "remove": N_("🚫 The moderators of {place} removed your comment #{number}."),
    "reject": N_("❌ The moderators of {place} did not publish your comment #{number}."),
}
ANSWERED = {
    "ban": N_("✅ The moderators of {place} accepted your appeal: you can comment there again."),
    "comment": N_("✅ The moderators of {place} accepted your appeal: #{number} is visible again."),
    "upheld": N_("✋ The moderators of {place} looked again and kept their decision."),
}


def place(review: Review) -> str:
    return f"“{review.chat_title}”" if review.chat_title else _("a chat")


def preview(text: str) -> str:
    return text if len(text) <= PREVIEW else text[:PREVIEW] + "…"


class ModQueueSender:
    def __init__(self, services: Services, announcer: Announcer, holder: str) -> None:
        self.services = services
        self.announcer = announcer
        self.holder = holder

    async def send_due(self) -> int:
        """Sends and settles whatever is due; returns how many reviews it handled."""
        store = self.services.store
        handled = 0
        now = self.services.clock.now()
        for review in await store.reviews_due(now, self.holder, HOLD_SECONDS, PER_ROUND):
            try:
                if not review.posted:
                    if await self._post(review) or now - review.created_at > GIVE_UP_SECONDS:
                        await store.review_posted(review.id, [])
                    else:  # the claim runs out after HOLD_SECONDS, and then the rest is tried again
                        continue
                else:
                    await self._settle(review)
                    await store.review_settled(review.id)
                handled += 1
            except PlatformUnreachable as err:  # retried once the claim runs out
                log.info("could not reach the platform for review %s of %s (%s); will try again",
                         review.id, review.chat_key, err)
            except Exception:  # one review that cannot be sent must not hold up the others; retried later
                log.exception("could not send review %s of %s", review.id, review.chat_key)
        return handled

    async def _post(self, review: Review) -> bool:
        """Sends the review wherever it has not gone yet; True when nothing is left to try again."""
        if review.kind in (ReviewKind.DECISION, ReviewKind.ANSWER):
            with speaking(await self._language("", review.subject_key)):
                reply = self._told(review)
            try:
                sent = await self.announcer.announce_privately(review.subject_key, reply)
            except PlatformUnreachable:
                return False
            if sent is None:
                log.info("could not tell %s privately about a decision in %s", review.subject_key, review.chat_key)
            return True
        store = self.services.store
        room = (await store.chat_settings(review.chat_key)).get(MODQUEUE_CHAT)
        targets = [*([(room, False)] if room else []),
                   *((moderator, True) for moderator in await store.moderators(review.chat_key))]
        done = await store.review_targets(review.id)
        complete = True
        for target, privately in targets:
            if target in done:
                continue
            with speaking(await self._language("" if privately else target, target if privately else "")):
                card = await self._card(review, buttons=True)
            try:
                sent = await (self.announcer.announce_privately(target, card) if privately
                              else self.announcer.announce(target, card))
            except PlatformUnreachable:
                log.info("could not reach %s for review %s now; will try again", target, review.id)
                complete = False
                continue
            if sent is None:
                log.info("could not write to %s%s", "moderator " if privately else "", target)
            else:
                await store.review_copied(review.id, target, sent)  # at once: a copy that went is never sent again
        return complete

    async def _settle(self, review: Review) -> None:
        for chat_key, message_id in await self.services.store.review_copies(review.id):
            language = await self._language(chat_key, "")
            with speaking(language):
                card = await self._card(review, buttons=False)
            await self.announcer.edit(Sent(chat_key, message_id), card)
        if review.announce and review.state in ("approved", "accepted") and review.number is not None:
            await self._show_in_chat(review)

    async def _show_in_chat(self, review: Review) -> None:
        store = self.services.store
        comment = await store.comment(review.chat_key, review.number or 0)
        article = await store.get_article(comment.article_id) if comment else None
        if comment is None or article is None or comment.status.value != "visible":
            return
        with speaking(await self._language(review.chat_key, "")):
            line = (_("✅ #{number} by {author} was approved:") if review.kind is ReviewKind.HELD
                    else _("♻️ #{number} by {author} is visible again after an appeal:"))
            blocks = [Paragraph.of(line.format(number=comment.number, author=comment.author_name)),
                      *views.comment_blocks(comment, article, self.services.clock.now(), show_section=True)]
        # in the room it was written in (of the rooms sharing the discussion), where its author waits for it
        await self.announcer.announce(comment.room_key or review.chat_key, Reply(tuple(blocks), anchor=Anchor(
            article.id, comment.section_key, comment.number)))

    async def _language(self, chat_key: str, user_key: str) -> str:
        chat, own = await self.services.store.languages(chat_key, user_key)
        return own or chat or ENGLISH

    async def _card(self, review: Review, *, buttons: bool) -> Reply:
        store = self.services.store
        comment: Comment | None = None
        if review.number is not None:
            comment = await store.comment(review.chat_key, review.number)
        blocks: list[Block] = []
        rows: tuple[tuple[Button, ...], ...] = ()
        name = await store.user_name(review.subject_key) or _("someone")
        if review.kind is ReviewKind.HELD:
            blocks.append(Heading(_("⏳ Waiting for review in {place}").format(place=place(review))))
            article = await store.get_article(comment.article_id) if comment else None
            if comment is not None and article is not None:
                header = views.comment_header(comment, article, self.services.clock.now(), show_section=True)
                blocks.extend((header, Quote(preview(comment.text))))
            rows = ((Button(_("✅ Approve"), encode(Verb.REVIEW, review.id, "ok")),
                     Button(_("❌ Reject"), encode(Verb.REVIEW, review.id, "no")),
                     Button(_("⛔ Ban {name}").format(name=name), encode(Verb.REVIEW, review.id, "ban"))),)
        else:
            blocks.append(Heading(_("📨 An appeal in {place}").format(place=place(review))))
            blocks.append(Paragraph.of(_(APPEALED.get(review.action or "", APPEALED["remove"])).format(
                name=name, number=review.number or 0)))
            if review.reason:
                blocks.append(Paragraph.of(_("The reason given: {reason}").format(reason=review.reason)))
            if comment is not None:
                blocks.append(Quote(preview(comment.text)))
            blocks.append(Paragraph.of(Span(_("Their appeal:"), Style.BOLD)))
            blocks.append(Quote(preview(review.body or "")))
            rows = ((Button(_("✅ Accept"), encode(Verb.REVIEW, review.id, "acc")),
                     Button(_("✋ Uphold"), encode(Verb.REVIEW, review.id, "up"))),)
        if review.state != OPEN:
            decider = await store.user_name(review.decided_by or "") if review.decided_by != "system" else None
            outcome = _(OUTCOMES.get(review.state, OUTCOMES["gone"]))
            blocks.append(Paragraph.of(Span(outcome.format(name=decider or _("automatic")), Style.BOLD)))
        return Reply(tuple(blocks), rows if buttons and review.state == OPEN else ())

    def _told(self, review: Review) -> Reply:
        where = place(review)
        if review.kind is ReviewKind.ANSWER:
            if review.action == "upheld":
                return Reply((Paragraph.of(_(ANSWERED["upheld"]).format(place=where)),))
            key = "ban" if review.reason == "ban" else "comment"
            return Reply((Paragraph.of(_(ANSWERED[key]).format(place=where, number=review.number or 0)),))
        if review.action == "ban":
            if review.body:
                line = _("⛔ The moderators of {place} banned you from commenting until {stamp}.").format(
                    place=where, stamp=stamp(float(review.body)))
            else:
                line = _("⛔ The moderators of {place} banned you from commenting.").format(place=where)
        else:
            line = _(TOLD.get(review.action or "", TOLD["remove"])).format(place=where, number=review.number or 0)
        blocks: list[Block] = [Paragraph.of(line)]
        if review.reason:
            blocks.append(Paragraph.of(_("Reason: {reason}").format(reason=review.reason)))
        blocks.append(Paragraph.of(Span(_("If you think this was a mistake, send /appeal and why, here or in that "
                                          "chat. You can appeal each decision once."), Style.ITALIC)))
        return Reply(tuple(blocks))
