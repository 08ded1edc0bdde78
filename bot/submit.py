"""Recording a comment: every check a comment passes before it is stored, then the confirmation.

The order matters: text checks first (nothing is stored for bad input), then ban, lock, slowmode,
word filters and the approval queue, then one transaction that stores it; only then do we say "saved".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import UTC, datetime

from bot.context import Context
from bot.errors import BotError
from bot.i18n import Later, _
from bot.parsing import human_duration, number
from bot.records import WHOLE_ARTICLE, Article, Comment, FilterMode, ModlogEntry, NewComment, Status, WordFilter
from bot.reviews import queue_held
from bot.types import Anchor, Notify, Paragraph, Quote, Reply, Span, Style
from bot.views import section_label

PREVIEW_CHARS = 300  # of a comment quoted back in its confirmation


def check_text(text: str, max_chars: int, *, editing: bool = False) -> str:
    body = text.strip()
    if not body:
        if editing:
            raise BotError("Your new text is empty. Write it after the number, like /edit #3 better words.")
        raise BotError("Your comment is empty. Write something after the command, like /comment I agree.")
    if len(body) > max_chars:
        raise BotError("Your text is {length} characters; the limit is {limit}. Please shorten it or split it "
                       "in two.", length=number(len(body)), limit=number(max_chars))
    try:
        body.encode("utf-8")
    except UnicodeEncodeError as err:
        raise BotError("Your text contains broken characters (invalid Unicode) and cannot be stored. "
                       "Please retype it.") from err
    return body


def _folded_words(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


# scripts written without spaces between words (Chinese, Japanese kana, Thai): a word there has no edges to
# find, so a filtered word in them matches wherever it appears
UNSPACED = re.compile("[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def matching_filter(text: str, filters: list[WordFilter]) -> WordFilter | None:
    """Case-insensitive and Unicode-aware; the word is escaped, never treated as a pattern. A word of a
    spaced script matches whole words only ("ass" is not in "class"); a word of an unspaced script, like
    Chinese, matches inside a sentence."""
    folded = _folded_words(text)
    hit: WordFilter | None = None
    for f in filters:
        word = _folded_words(f.word)
        found = word in folded if UNSPACED.search(word) else re.search(
            r"(?<!\w)" + re.escape(word) + r"(?!\w)", folded)
        if found:
            if f.mode is FilterMode.BLOCK:
                return f
            hit = hit or f
    return hit


def stamp(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M UTC")


async def record_comment(
    ctx: Context, article: Article, section_key: str, text: str, parent: Comment | None = None
) -> Reply:
    body = check_text(text, ctx.services.comment_max_chars)
    now = ctx.now()
    gate = await ctx.store.comment_gate(ctx.chat_key, ctx.user_key, article.id, now)
    ban = gate.ban
    if ban is None and ctx.linked:  # a ban given in this room alone
        ban = (await ctx.store.comment_gate(ctx.room_key, ctx.user_key, article.id, now)).ban
    if ban is not None:
        if ban.until is None:
            if ban.reason:
                raise BotError("You are banned from commenting in this chat permanently. Reason: {reason}.",
                               reason=ban.reason)
            raise BotError("You are banned from commenting in this chat permanently.")
        left = Later(human_duration, ban.until - now)
        if ban.reason:
            raise BotError("You are banned from commenting in this chat until {stamp} (in {duration}). "
                           "Reason: {reason}.", stamp=stamp(ban.until), duration=left, reason=ban.reason)
        raise BotError("You are banned from commenting in this chat until {stamp} (in {duration}).",
                       stamp=stamp(ban.until), duration=left)
    config = ctx.use_settings(gate.settings)
    locked = WHOLE_ARTICLE in gate.locks or section_key in gate.locks
    last = gate.last_comment_at
    slowed = bool(config.slowmode) and last is not None and now - last < config.slowmode
    hit = matching_filter(body, list(gate.filters))
    # admins pass every check below; asking the platform who is an admin costs a request, so only ask
    # when a check would actually stop or hold this comment
    if (locked or slowed or hit is not None or config.approval) and await ctx.is_admin():
        locked, slowed, hit = False, False, None
        config = replace(config, approval=False)
    if locked:
        if WHOLE_ARTICLE in gate.locks:
            raise BotError("Commenting on this article is closed in this chat.")
        raise BotError("Commenting on {section} is closed.", section=section_label(article, section_key))
    if slowed and last is not None:
        raise BotError("Slow mode is on here: you can comment again in {wait}.",
                       wait=Later(human_duration, config.slowmode - (now - last)))
    status, hold_reason, log = Status.VISIBLE, None, None
    if hit is not None and hit.mode is FilterMode.BLOCK:
        raise BotError("Your comment contains a word that is not allowed in this chat, so it was not saved.")
    if hit is not None:
        status, hold_reason = Status.PENDING, "held by a word filter"
        log = ModlogEntry(ctx.chat_key, now, "system", "filter hold", "", f"word “{hit.word}”")
    elif config.approval:
        status, hold_reason = Status.PENDING, "approval is on"
    new = NewComment(
        chat_key=ctx.chat_key,
        article_id=article.id,
        section_key=section_key,
        parent_number=parent.number if parent else None,
        author_key=ctx.user_key,
        text=body,
        status=status,
        created_at=now,
        source_id=source_of(ctx),
        hold_reason=hold_reason,
        room_key=ctx.room_key,
    )
    comment, _created = await ctx.store.add_comment(new, log)
    if comment.status is Status.PENDING:
        await queue_held(ctx, comment)  # also on a repeated delivery: the review is made once
    reply = confirmation(comment, article)
    if parent is not None and parent.author_key != ctx.user_key and comment.status is Status.VISIBLE \
            and not await ctx.store.is_quiet(parent.author_key):
        # the confirmation reaches the parent's author: a reply to their message (Telegram notifies them),
        # or a mention of them alone (Discord). Their message is only this room's when they wrote it here: a
        # comment from a linked room names a message of another chat (another platform's id, or an unrelated
        # message of this chat with the same number)
        here = (parent.room_key or parent.chat_key) == ctx.room_key
        message = parent.source_id.rpartition(ROOM_MARK)[2] if here and parent.source_id else None
        reply = replace(reply, notify=Notify(parent.author_key, message))
    return reply


ROOM_MARK = "#"  # between a linked room's key and its message id in a comment's source


def source_of(ctx: Context) -> str | None:
    """The platform message a comment comes from, which a second delivery of it repeats. Message numbers are per
    chat (two linked Telegram groups each have a message 500), so a room that joined another's discussion
    names itself too; the home room's are plain, as before rooms could be linked."""
    message = ctx.event.message_id
    if message is None or ctx.room_key == ctx.chat_key:
        return message
    return f"{ctx.room_key}{ROOM_MARK}{message}"


def confirmation(comment: Comment, article: Article) -> Reply:
    where = section_label(article, comment.section_key)
    if comment.status is Status.PENDING:
        line = Paragraph.of(_("⏳ Your comment #{number} on {section} is waiting for a moderator's approval.").format(
            number=comment.number, section=where))
        return Reply((line,), anchor=Anchor(article.id, comment.section_key, comment.number))
    if comment.parent_number:
        saved = _("✅ Saved as #{number} on {section} (reply to #{parent}).").format(
            number=comment.number, section=where, parent=comment.parent_number)
    else:
        saved = _("✅ Saved as #{number} on {section}.").format(number=comment.number, section=where)
    line = Paragraph.of(saved)
    hint = Paragraph.of(Span(_("Reply to this message to answer it; /edit or /delete within the edit window."),
                             Style.ITALIC))
    preview = comment.text if len(comment.text) <= PREVIEW_CHARS else comment.text[:PREVIEW_CHARS] + "…"
    return Reply((line, Quote(preview), hint), anchor=Anchor(article.id, comment.section_key, comment.number))
