"""The mod queue's side of moderation: held comments and appeals are queued for the moderators, decisions
are queued to be told to the person they are about, and the buttons on the moderators' copies decide them,
acting in the chat the review is about whoever presses them where (checked again at every press)."""

from __future__ import annotations

from dataclasses import replace

from bot.context import Context
from bot.errors import BotError
from bot.i18n import N_, _
from bot.permissions import Role
from bot.records import OPEN, Ban, Comment, Review, ReviewKind, Status
from bot.types import Chat, Reply, text_reply

APPEAL_MAX_CHARS = 1000

# a button's word: (the decision it makes, the kind of review it decides)
DECISIONS = {"ok": ("approved", ReviewKind.HELD), "no": ("rejected", ReviewKind.HELD),
             "ban": ("banned", ReviewKind.HELD), "acc": ("accepted", ReviewKind.APPEAL),
             "up": ("upheld", ReviewKind.APPEAL)}
DONE = {
    "approved": N_("✅ Approved #{number}."), "rejected": N_("❌ Rejected #{number}."),
    "banned": N_("⛔ Rejected #{number} and banned its author."), "accepted": N_("✅ Appeal accepted."),
    "upheld": N_("✋ Decision upheld."),
}


async def queue_held(ctx: Context, comment: Comment) -> None:
    """A comment that waits for review goes to the moderators (once, however often this is called for it)."""
    if await ctx.store.open_review(Review(0, comment.chat_key, ReviewKind.HELD, comment.author_key, ctx.now(),
                                          comment_id=comment.id, number=comment.number,
                                          chat_title=ctx.event.chat.title)) is not None:
        ctx.services.nudge()


async def tell_decision(ctx: Context, action: str, subject_key: str, comment: Comment | None,
                        reason: str | None, until: float | None = None) -> None:
    """The person a removal, rejection or ban is about hears of it privately, and may /appeal it once."""
    if subject_key in (ctx.user_key, "system"):
        return
    await ctx.store.open_review(Review(
        0, ctx.chat_key, ReviewKind.DECISION, subject_key, ctx.now(), comment_id=comment.id if comment else None,
        number=comment.number if comment else None, action=action, reason=reason,
        body="" if until is None else repr(until), chat_title=ctx.event.chat.title))
    ctx.services.nudge()


async def press(ctx: Context, review_id: int, word: str) -> Reply:
    """A moderator pressed a button on a review's copy, anywhere: decides it in the review's own chat."""
    review = await ctx.store.review(review_id)
    decision = DECISIONS.get(word)
    if review is None or decision is None or decision[1] is not review.kind:
        raise BotError("This button is no longer valid.")
    origin = Chat(review.chat_key, title=review.chat_title)
    if await ctx.services.permissions.role(origin, ctx.event.user, ctx.platform) < Role.ADMIN:
        raise BotError("Only the admins of that chat can decide this.")
    if review.state != OPEN:
        return await already(ctx, review)
    there = Context(ctx.services, replace(ctx.event, chat=origin), ctx.platform)
    there.language, there.own_language = ctx.language, ctx.own_language
    state = decision[0]
    elsewhere = ctx.chat_key != review.chat_key
    if review.kind is ReviewKind.HELD:
        comment = await ctx.store.comment(review.chat_key, review.number or 0)
        if comment is None or comment.status is not Status.PENDING:
            await ctx.store.decide_review(review.id, "gone", ctx.user_key, ctx.now(), False)
            ctx.services.nudge()
            raise BotError("#{number} is no longer waiting for review.", number=review.number or 0)
        if not await ctx.store.decide_review(review.id, state, ctx.user_key, ctx.now(), elsewhere):
            return await already(ctx, review)
        await decide_held(there, comment, state)
    else:
        if not await ctx.store.decide_review(review.id, state, ctx.user_key, ctx.now(), elsewhere):
            return await already(ctx, review)
        await answer_appeal(there, review, state == "accepted")
    ctx.services.nudge()
    return text_reply(_(DONE[state]).format(number=review.number or 0), private=True)


async def already(ctx: Context, review: Review) -> Reply:
    fresh = await ctx.store.review(review.id) or review
    name = await ctx.store.user_name(fresh.decided_by or "") or _("another moderator")
    return text_reply(_("Already decided by {name}.").format(name=name), private=True)


async def decide_held(ctx: Context, comment: Comment, state: str) -> None:
    if state == "approved":
        await ctx.store.set_status(comment.id, Status.VISIBLE, ctx.log("approve", f"#{comment.number}",
                                                                        after=comment.text))
        await ctx.store.resolve_reports(comment.id)
        return
    await ctx.store.set_status(comment.id, Status.REJECTED, ctx.log("reject", f"#{comment.number}",
                                                                     before=comment.text))
    await ctx.store.resolve_reports(comment.id)
    if state == "banned" and comment.author_key not in ctx.services.permissions.owners \
            and comment.author_key != ctx.user_key:
        await ctx.store.ban(Ban(ctx.chat_key, comment.author_key, None, None, ctx.user_key),
                            ctx.log("ban", comment.author_key, after="permanent"))
        await tell_decision(ctx, "ban", comment.author_key, comment, None)
        return
    await tell_decision(ctx, "reject", comment.author_key, comment, None)


async def answer_appeal(ctx: Context, appeal: Review, accepted: bool) -> None:
    decision = await ctx.store.review(appeal.parent_id or 0)
    target = f"#{appeal.number}" if appeal.number else appeal.subject_key
    if accepted and decision is not None:
        if decision.action == "ban":
            await ctx.store.unban(ctx.chat_key, appeal.subject_key, ctx.log("unban", appeal.subject_key,
                                                                             "appeal accepted"))
        elif appeal.number is not None:
            comment = await ctx.store.comment(ctx.chat_key, appeal.number)
            if comment is not None and comment.status in (Status.REMOVED, Status.REJECTED):
                await ctx.store.set_status(comment.id, Status.VISIBLE, ctx.log("restore", target, "appeal accepted",
                                                                                after=comment.text))
    await ctx.store.add_modlog(ctx.log("appeal accepted" if accepted else "appeal upheld", target))
    await ctx.store.open_review(Review(
        0, ctx.chat_key, ReviewKind.ANSWER, appeal.subject_key, ctx.now(), number=appeal.number,
        action="accepted" if accepted else "upheld", parent_id=appeal.parent_id, chat_title=appeal.chat_title,
        reason=decision.action if decision else None))


async def appeal(ctx: Context, text: str) -> Reply:
    body = text.strip()
    if not body:
        raise BotError("Say why the moderators should look again, like /appeal I was quoting the article.")
    if len(body) > APPEAL_MAX_CHARS:
        raise BotError("An appeal is at most {limit} characters.", limit=APPEAL_MAX_CHARS)
    decision = await ctx.store.last_decision(ctx.user_key, None if ctx.event.chat.private else ctx.chat_key)
    if decision is None:
        raise BotError("There is no moderators' decision about you to appeal.")
    if decision.appealed:
        raise BotError("You already appealed the latest decision about you; the moderators have it.")
    target = f"#{decision.number}" if decision.number else ctx.user_key
    log = ctx.log("appeal", target, body)
    log = replace(log, chat_key=decision.chat_key)
    made = await ctx.store.add_appeal(Review(
        0, decision.chat_key, ReviewKind.APPEAL, ctx.user_key, ctx.now(), comment_id=decision.comment_id,
        number=decision.number, action=decision.action, reason=decision.reason, body=body, parent_id=decision.id,
        chat_title=decision.chat_title), log)
    if made is None:
        raise BotError("You already appealed the latest decision about you; the moderators have it.")
    ctx.services.nudge()
    return text_reply(_("📨 Your appeal went to the moderators. You will hear from me when they decide."),
                      private=True)
