"""Moderation: remove/restore/purge, bans, locks, approval queue, filters, slowmode, reports, modlog."""

from __future__ import annotations

from bot import views
from bot.actions import Verb, encode
from bot.chat_config import normalise
from bot.commands.discussing import visible_comment
from bot.commands.registry import REGISTRY, Group, Param, ParamKind
from bot.context import Context
from bot.errors import BotError
from bot.finder import find_sections
from bot.i18n import N_, Later, _, ngettext
from bot.parsing import comment_number, duration, human_duration, split_first
from bot.records import WHOLE_ARTICLE, Ban, Comment, FilterMode, ModlogEntry, Report, Status, WordFilter
from bot.reviews import queue_held, tell_decision
from bot.submit import stamp
from bot.types import Block, Button, Heading, Paragraph, Quote, Reply, Span, Style, text_reply
from bot.users import named_user

cmd = REGISTRY.command
M = Group.MODERATING
HIDDEN = (Status.PENDING,)


async def chat_comment(ctx: Context, word: str, usage: str) -> Comment:
    number = comment_number(word, usage)
    comment = await ctx.store.comment(ctx.chat_key, number)
    if comment is None:
        raise BotError("There is no comment #{number} in this chat.", number=number)
    return comment


async def reason_check(ctx: Context, reason: str, refusal: str) -> str | None:
    """`refusal`: what to say when this chat requires a reason and none was given."""
    text = reason.strip()[:500]
    if not text and (await ctx.config()).reason_required:
        raise BotError(refusal)
    return text or None


def with_reason(text: str, reason: str | None) -> str:
    return text + (" " + _("Reason: {reason}").format(reason=reason) if reason else "")


@cmd("remove", N_("Hide a comment"), N_("`/remove #3 [reason]` hides comment #3; it stays in the modlog and can be "
                                         "brought back with /restore."), M,
     params=(Param("comment", ParamKind.COMMENT, N_("the comment's number"), required=True),
             Param("reason", ParamKind.TEXT, N_("why, for the modlog"))),
     admin=True, changes_state=True, example="#1 off topic", denied=N_("Only admins can hide a comment."))
async def remove(ctx: Context, args: str) -> Reply:
    first, rest = split_first(args)
    target = await chat_comment(ctx, first, N_("/remove #3 [reason]"))
    reason = await reason_check(ctx, rest, N_("This chat requires a reason to remove a comment. Add it after the "
                                              "command."))
    if target.status is Status.REMOVED:
        return text_reply(_("#{number} is already removed.").format(number=target.number), private=True)
    await ctx.store.set_status(target.id, Status.REMOVED,
                               ctx.log("remove", f"#{target.number}", reason, before=target.text))
    await ctx.store.resolve_reports(target.id)
    await tell_decision(ctx, "remove", target.author_key, target, reason)
    return text_reply(with_reason(_("🚫 Removed #{number} by {author}.").format(
        number=target.number, author=target.author_name), reason), private=True)


@cmd("restore", N_("Bring back a removed comment"), N_("`/restore #3` makes a removed or held comment visible "
                                                        "again."),
     M, params=(Param("comment", ParamKind.COMMENT, N_("the comment's number"), required=True),),
     admin=True, changes_state=True, example="#1", denied=N_("Only admins can bring back a removed comment."))
async def restore(ctx: Context, args: str) -> Reply:
    target = await chat_comment(ctx, args.strip().split(" ")[0], N_("/restore #3"))
    if target.status is Status.VISIBLE:
        return text_reply(_("#{number} is already visible.").format(number=target.number), private=True)
    if target.status is Status.DELETED:
        raise BotError("#{number} was deleted by its author; it can't be restored.", number=target.number)
    await ctx.store.set_status(target.id, Status.VISIBLE, ctx.log("restore", f"#{target.number}",
                                                                   after=target.text))
    await ctx.store.resolve_reports(target.id)
    return text_reply(_("♻️ Restored #{number}.").format(number=target.number), private=True)


@cmd("purge", N_("Remove all of a user's comments here"), N_("`/purge <user>` hides every comment the user made "
                                                              "in this chat."),
     M, params=(Param("user", ParamKind.USER, N_("who"), required=True),
                Param("reason", ParamKind.TEXT, N_("why"))),
     admin=True, changes_state=True, example="member", denied=N_("Only admins can remove all of a user's comments."))
async def purge(ctx: Context, args: str) -> Reply:
    user, rest = await named_user(ctx, args, N_("/purge <user>"))
    reason = await reason_check(ctx, rest, N_("This chat requires a reason to purge. Add it after the command."))
    count = await ctx.store.set_status_by_author(ctx.chat_key, user.key, Status.REMOVED,
                                                 ctx.log("purge", user.key, reason))
    return text_reply(ngettext("🧹 Removed {count} comment by {name}.", "🧹 Removed {count} comments by {name}.",
                               count).format(count=count, name=user.name), private=True)


@cmd("ban", N_("Stop a user from commenting here"), N_("`/ban <user> [everywhere] [30m|2h|7d] [reason]`; no duration "
                                                        "bans for good. Reply to someone's message with /ban to name "
                                                        "them. In linked rooms a ban holds in this room only, unless "
                                                        "given `everywhere`."),
     M, params=(Param("user", ParamKind.USER, N_("who"), required=True),
                Param("duration", ParamKind.DURATION, N_("like 30m, 2h, 7d; empty = permanent")),
                Param("reason", ParamKind.TEXT, N_("why, shown to them"))),
     admin=True, changes_state=True, example="member 2h spam", denied=N_("Only admins can ban."))
async def ban(ctx: Context, args: str) -> Reply:
    user, rest = await named_user(ctx, args, N_("/ban <user> [duration] [reason]"))
    if user.key == ctx.user_key:
        raise BotError("You can't ban yourself.")
    if user.key in ctx.services.permissions.owners:
        raise BotError("The bot's owners can't be banned.")
    everywhere = rest.strip().lower().startswith("everywhere")
    if everywhere:
        rest = rest.strip()[len("everywhere"):]
    word, after = split_first(rest)
    seconds = duration(word) if word else None
    reason_text = after if seconds is not None else rest
    reason = await reason_check(ctx, reason_text, N_("This chat requires a reason to ban. Add it after the "
                                                     "command."))
    until = ctx.now() + seconds if seconds is not None else None
    length = f"{seconds} s" if seconds is not None else "permanent"  # the modlog's record, not shown as prose
    # in linked rooms a ban is this room's alone, unless given `everywhere` (the whole shared discussion)
    where = ctx.chat_key if everywhere or not ctx.linked else ctx.room_key
    await ctx.store.ban(Ban(where, user.key, until, reason, ctx.user_key),
                        ctx.log("ban", user.key, reason, after=length))
    await tell_decision(ctx, "ban", user.key, None, reason, until)
    if until is None:
        done = _("⛔ {name} is banned from commenting here permanently.").format(name=user.name)
    else:
        done = _("⛔ {name} is banned from commenting here until {stamp} (in {duration}).").format(
            name=user.name, stamp=stamp(until), duration=human_duration(until - ctx.now()))
    return text_reply(with_reason(done, reason), private=True)


@cmd("unban", N_("Lift a ban"), N_("`/unban <user>` lets them comment again."), M,
     params=(Param("user", ParamKind.USER, N_("who"), required=True),),
     admin=True, changes_state=True, example="member", denied=N_("Only admins can lift a ban."))
async def unban(ctx: Context, args: str) -> Reply:
    user, _rest = await named_user(ctx, args, N_("/unban <user>"))
    lifted = ctx.linked and await ctx.store.unban(ctx.room_key, user.key, ctx.log("unban", user.key))
    if not lifted and not await ctx.store.unban(ctx.chat_key, user.key, ctx.log("unban", user.key)):
        return text_reply(_("{name} is not banned here.").format(name=user.name), private=True)
    return text_reply(_("✅ {name} can comment again.").format(name=user.name), private=True)


async def lock_target(ctx: Context, args: str) -> tuple[int, str, str]:
    """(article id, section key, a label for the modlog and the answer)"""
    article = await ctx.article()
    query = args.strip()
    if not query:
        return article.id, WHOLE_ARTICLE, _("the whole article")
    found = find_sections(article, query)
    if len(found) != 1:
        if found:
            raise BotError("Name one section, like /lock 2. Several sections match “{query}”.", query=query[:40])
        raise BotError("Name one section, like /lock 2. No sections match “{query}”.", query=query[:40])
    return article.id, found[0].key, f"§{found[0].position} {found[0].heading}"


@cmd("lock", N_("Close commenting"), N_("`/lock` closes the whole article here; `/lock 2` one section."), M,
     params=(Param("section", ParamKind.SECTION, N_("a section; empty = the whole article")),),
     admin=True, changes_state=True, example="2", denied=N_("Only admins can close commenting."))
async def lock(ctx: Context, args: str) -> Reply:
    article_id, key, label = await lock_target(ctx, args)
    changed = await ctx.store.set_lock(ctx.chat_key, article_id, key, True, ctx.log("lock", label))
    text = _("🔒 Commenting on {section} is closed.") if changed else _("{section} was already locked.")
    return text_reply(text.format(section=label), private=not changed)


@cmd("unlock", N_("Reopen commenting"), N_("`/unlock` reopens the article; `/unlock 2` one section."), M,
     params=(Param("section", ParamKind.SECTION, N_("a section; empty = the whole article")),),
     admin=True, changes_state=True, example="", denied=N_("Only admins can reopen commenting."))
async def unlock(ctx: Context, args: str) -> Reply:
    article_id, key, label = await lock_target(ctx, args)
    changed = await ctx.store.set_lock(ctx.chat_key, article_id, key, False, ctx.log("unlock", label))
    text = _("🔓 Commenting on {section} is open again.") if changed else _("{section} was not locked.")
    return text_reply(text.format(section=label), private=not changed)


@cmd("approval", N_("Queue new comments for approval"), N_("`/approval on` makes new comments wait for an admin; "
                                                            "`/approval off` publishes them at once."), M,
     params=(Param("state", ParamKind.CHOICE, N_("on or off"), required=True, choices=("on", "off")),),
     admin=True, changes_state=True, example="on", denied=N_("Only admins can turn the approval queue on or off."))
async def approval(ctx: Context, args: str) -> Reply:
    word = args.strip().lower()
    if word not in ("on", "off"):
        if (await ctx.config()).approval:
            raise BotError("Approval is on. Use /approval on or /approval off.")
        raise BotError("Approval is off. Use /approval on or /approval off.")
    await ctx.store.set_chat_setting(ctx.chat_key, "approval", word, ctx.log("approval", word))
    return text_reply(_("⏳ New comments now wait for approval; see /pending.") if word == "on"
                      else _("New comments are published at once."))


@cmd("pending", N_("The approval queue and reports"), N_("Lists comments waiting for approval and reported "
                                                          "comments, with approve and reject buttons."),
     M, admin=True, denied=N_("Only admins can see the approval queue."))
async def pending(ctx: Context, args: str) -> Reply:
    article = await ctx.article()
    rows = await ctx.store.comments(ctx.chat_key, article.id, None, HIDDEN, None, 10)
    reports = await ctx.store.open_reports(ctx.chat_key, 20)
    reported = {c.id: n for c, n in reports}
    extra = [c for c, _n in reports if c.status is Status.VISIBLE]
    appeals = await ctx.store.open_appeals(ctx.chat_key, 10)
    blocks: list[Block] = [Heading(_("Waiting for review"))]
    if not rows and not extra and not appeals:
        blocks.append(Paragraph.of(_("Nothing is waiting. 🎉")))
    buttons: list[tuple[Button, ...]] = []
    for comment in [*rows, *extra][:10]:
        blocks.extend(views.comment_blocks(comment, article, ctx.now(), show_section=True))
        if comment.id in reported:
            n = reported[comment.id]
            blocks.append(Paragraph.of(Span(ngettext("⚑ reported {n} time", "⚑ reported {n} times", n).format(n=n),
                                            Style.ITALIC)))
        buttons.append((Button(_("✅ Approve #{number}").format(number=comment.number),
                               encode(Verb.APPROVE, comment.number)),
                        Button(_("❌ Reject #{number}").format(number=comment.number),
                               encode(Verb.REJECT, comment.number))))
    for appeal in appeals:
        name = await ctx.store.user_name(appeal.subject_key) or appeal.subject_key
        blocks.append(Paragraph.of(Span(_("📨 An appeal by {name}").format(name=name), Style.BOLD),
                                   f" · {_(ACTIONS.get(appeal.action or '', 'remove'))} "
                                   + (f"#{appeal.number}" if appeal.number else "")))
        blocks.append(Quote(appeal.body or ""))
        buttons.append((Button(_("✅ Accept"), encode(Verb.REVIEW, appeal.id, "acc")),
                        Button(_("✋ Uphold"), encode(Verb.REVIEW, appeal.id, "up"))))
    return Reply(tuple(blocks), tuple(buttons), private=True)


NOT_WAITING = {
    Status.DELETED: N_("#{number} was deleted, not waiting for approval."),
    Status.REMOVED: N_("#{number} was removed, not waiting for approval. /restore brings back removed comments."),
    Status.REJECTED: N_("#{number} was rejected, not waiting for approval. /restore brings back removed comments."),
}
ALREADY = {
    Status.DELETED: N_("#{number} is already deleted."),
    Status.REMOVED: N_("#{number} is already removed."),
    Status.REJECTED: N_("#{number} is already rejected."),
}


async def approve_number(ctx: Context, number: int, reason: str | None) -> Reply:
    comment = await ctx.store.comment(ctx.chat_key, number)
    if comment is None:
        raise BotError("There is no comment #{number} in this chat.", number=number)
    if comment.status is Status.VISIBLE:
        await ctx.store.resolve_reports(comment.id)
        return text_reply(_("#{number} is already visible; its reports are closed.").format(number=number),
                          private=True)
    if comment.status is not Status.PENDING:
        raise BotError(NOT_WAITING[comment.status], number=number)
    await ctx.store.set_status(comment.id, Status.VISIBLE, ctx.log("approve", f"#{number}", reason,
                                                                    after=comment.text))
    await ctx.store.resolve_reports(comment.id)
    return text_reply(_("✅ Approved #{number} by {author}.").format(number=number, author=comment.author_name))


async def reject_number(ctx: Context, number: int, reason: str | None) -> Reply:
    comment = await ctx.store.comment(ctx.chat_key, number)
    if comment is None:
        raise BotError("There is no comment #{number} in this chat.", number=number)
    if comment.status not in (Status.PENDING, Status.VISIBLE):
        raise BotError(ALREADY[comment.status], number=number)
    await ctx.store.set_status(comment.id, Status.REJECTED, ctx.log("reject", f"#{number}", reason,
                                                                     before=comment.text))
    await ctx.store.resolve_reports(comment.id)
    await tell_decision(ctx, "reject", comment.author_key, comment, reason)
    return text_reply(with_reason(_("❌ Rejected #{number}.").format(number=number), reason), private=True)


@cmd("approve", N_("Approve a waiting comment"), N_("`/approve #3` publishes a comment from the queue."), M,
     params=(Param("comment", ParamKind.COMMENT, N_("the comment's number"), required=True),),
     admin=True, changes_state=True, example="#1", denied=N_("Only admins can approve or reject comments."))
async def approve(ctx: Context, args: str) -> Reply:
    first, rest = split_first(args)
    return await approve_number(ctx, comment_number(first, N_("/approve #3")), rest or None)


@cmd("reject", N_("Reject a waiting comment"), N_("`/reject #3 [reason]` refuses a comment from the queue."), M,
     params=(Param("comment", ParamKind.COMMENT, N_("the comment's number"), required=True),
             Param("reason", ParamKind.TEXT, N_("why"))),
     admin=True, changes_state=True, example="#1 spam", denied=N_("Only admins can approve or reject comments."))
async def reject(ctx: Context, args: str) -> Reply:
    first, rest = split_first(args)
    return await reject_number(ctx, comment_number(first, N_("/reject #3 [reason]")), rest.strip()[:500] or None)


MODES = {FilterMode.BLOCK: N_("block"), FilterMode.HOLD: N_("hold")}


@cmd("filter", N_("Word filter"), N_("`/filter add <word> [block|hold]`, `/filter remove <word>`, `/filter list`. "
                                     "Whole words, any case; block refuses the comment, hold queues it."), M,
     params=(Param("action", ParamKind.CHOICE, N_("add, remove or list"), required=True,
                   choices=("add", "remove", "list")),
             Param("word", ParamKind.WORD, N_("the word")),
             Param("mode", ParamKind.CHOICE, N_("block or hold (add only)"), choices=("block", "hold"))),
     admin=True, changes_state=True, example="add spam block", denied=N_("Only admins can change the word filter."))
async def filter_command(ctx: Context, args: str) -> Reply:
    action, rest = split_first(args)
    action = action.lower()
    if action in ("", "list"):
        words = await ctx.store.filters(ctx.chat_key)
        if not words:
            return text_reply(_("No filtered words here. Add one with /filter add <word> [block|hold]."),
                              private=True)
        return Reply((Heading(_("Filtered words")),
                      *(Paragraph.of(Span(w.word, Style.CODE), f" — {_(MODES[w.mode])}") for w in words)),
                     private=True)
    word, mode_text = split_first(rest)
    if not word:
        if action == "add":
            raise BotError("Which word? Usage: /filter add <word> [block|hold]")
        raise BotError("Which word? Usage: /filter {action} <word>", action=action[:20])
    if len(word) > 64:
        raise BotError("Filtered words are at most 64 characters.")
    if action == "add":
        mode_word = mode_text.strip().lower() or "block"
        if mode_word not in ("block", "hold"):
            raise BotError("The mode is block (refuse the comment) or hold (send it to /pending).")
        mode = FilterMode(mode_word)
        await ctx.store.add_filter(ctx.chat_key, WordFilter(word, mode), ctx.log("filter add", word, mode.value))
        done = (_("Comments containing “{word}” will be refused.") if mode is FilterMode.BLOCK
                else _("Comments containing “{word}” will be held."))
        return text_reply(done.format(word=word), private=True)
    if action == "remove":
        removed = await ctx.store.remove_filter(ctx.chat_key, word, ctx.log("filter remove", word))
        done = _("Removed “{word}” from the filter.") if removed else _("“{word}” was not filtered.")
        return text_reply(done.format(word=word), private=True)
    raise BotError("Use /filter add <word> [block|hold], /filter remove <word> or /filter list.")


@cmd("slowmode", N_("Limit how often members comment"), N_("`/slowmode 60` allows one comment per member per 60 "
                                                            "seconds (also 5m, 1h); `/slowmode off` turns it off."),
     M, params=(Param("interval", ParamKind.WORD, N_("seconds, like 60 or 5m, or off"), required=True),),
     admin=True, changes_state=True, example="60", denied=N_("Only admins can change slow mode."))
async def slowmode(ctx: Context, args: str) -> Reply:
    word = args.strip().lower()
    if not word:
        current = (await ctx.config()).slowmode
        if current:
            raise BotError("Slow mode is {interval}. Use /slowmode 60, /slowmode 5m or /slowmode off.",
                           interval=Later(human_duration, current))
        raise BotError("Slow mode is off. Use /slowmode 60, /slowmode 5m or /slowmode off.")
    seconds = 0 if word in ("off", "0") else (int(word) if word.isascii() and word.isdigit() else duration(word))
    if seconds is None or seconds > 86_400:
        raise BotError("Give seconds (like 60), a duration up to a day (like 5m or 1h), or off.")
    _name, value = normalise("slowmode", str(seconds))
    await ctx.store.set_chat_setting(ctx.chat_key, "slowmode", value, ctx.log("slowmode", value))
    if seconds:
        return text_reply(_("🐢 Slow mode: one comment per member every {interval}.").format(
            interval=human_duration(seconds)))
    return text_reply(_("Slow mode is off."))


@cmd("report", N_("Report a comment to the admins"), N_("`/report #3 [reason]`: once enough people report a "
                                                         "comment it is hidden until an admin looks at it."),
     Group.DISCUSSING, params=(Param("comment", ParamKind.COMMENT, N_("the comment's number"), required=True),
                               Param("reason", ParamKind.TEXT, N_("what is wrong with it"))), example="#1 rude")
async def report(ctx: Context, args: str) -> Reply:
    first, rest = split_first(args)
    target = await visible_comment(ctx, comment_number(first, N_("/report #3 [reason]")))
    if target.author_key == ctx.user_key:
        raise BotError("You can't report your own comment; /delete it instead.")
    if target.status is not Status.VISIBLE:
        return text_reply(_("#{number} is already hidden for review. Thank you.").format(number=target.number),
                          private=True)
    threshold = (await ctx.config()).report_threshold
    hidden_log = ModlogEntry(ctx.chat_key, ctx.now(), "system", "report hold", f"#{target.number}",
                             f"{threshold} reports", before=target.text)
    added, count = await ctx.store.add_report(
        Report(target.id, ctx.user_key, rest.strip()[:500] or None, ctx.now()), threshold, hidden_log)
    if not added:
        return text_reply(_("You already reported #{number}.").format(number=target.number), private=True)
    if count >= threshold:
        held = await ctx.store.comment(ctx.chat_key, target.number)
        if held is not None and held.status is Status.PENDING:
            await queue_held(ctx, held)
        return text_reply(_("Thanks. #{number} is hidden until an admin reviews it.").format(number=target.number),
                          private=True)
    return text_reply(_("Thanks, the admins will see your report on #{number}.").format(number=target.number),
                      private=True)


# the modlog's stored action words, shown in the reader's language
ACTIONS = {  # the stored words themselves are the English
    "remove": N_("remove"), "restore": N_("restore"), "purge": N_("purge"), "ban": N_("ban"),
    "unban": N_("unban"), "lock": N_("lock"), "unlock": N_("unlock"), "approval": N_("approval"),
    "approve": N_("approve"), "reject": N_("reject"), "filter add": N_("filter add"),
    "filter remove": N_("filter remove"), "slowmode": N_("slowmode"), "set": N_("set"), "edit": N_("edit"),
    "report hold": N_("report hold"), "filter hold": N_("filter hold"), "ban expired": N_("ban expired"),
    "language": N_("language"), "import": N_("import"), "refresh": N_("refresh"), "appeal": N_("appeal"),
    "appeal accepted": N_("appeal accepted"), "appeal upheld": N_("appeal upheld"), "modqueue": N_("modqueue"),
    "link": N_("link"), "unlink": N_("unlink"),
}


@cmd("modlog", N_("Recent moderation actions"), N_("`/modlog [n]` shows the last n actions (default 10, up to 50)."),
     M, params=(Param("count", ParamKind.NUMBER, N_("how many")),), admin=True, example="5",
     denied=N_("Only admins can see the moderation log."))
async def modlog(ctx: Context, args: str) -> Reply:
    word = args.strip()
    n = int(word) if word.isascii() and word.isdigit() else 10
    entries = await ctx.store.modlog(ctx.chat_key, max(1, min(n, 50)))
    blocks: list[Block] = [Heading(_("Moderation log"))]
    if not entries:
        blocks.append(Paragraph.of(_("No moderation actions yet.")))
    for e in entries:
        actor = _("automatic") if e.actor_key == "system" else (await ctx.store.user_name(e.actor_key) or e.actor_key)
        action = _(ACTIONS[e.action]) if e.action in ACTIONS else e.action
        line = f" · {actor} · {action} {e.target}" + (f" · {_(e.reason)}" if e.reason else "")
        blocks.append(Paragraph.of(Span(views.ago(ctx.now() - e.at), Style.ITALIC), line))
        if e.before:
            blocks.append(Quote(_("before: {text}").format(text=e.before)))
        if e.after and e.action in ("edit", "restore", "approve"):
            blocks.append(Quote(_("after: {text}").format(text=e.after)))
    return Reply(tuple(blocks), private=True)


@cmd("settings", N_("This chat's settings"), N_("Shows the settings admins can change with /set."), M)
async def settings(ctx: Context, args: str) -> Reply:
    config = await ctx.config()
    blocks: list[Block] = [Heading(_("Settings"))]
    for name, value, description in config.shown():
        blocks.append(Paragraph.of(Span(name, Style.CODE), f" = {value} — {_(description)}"))
    blocks.append(Paragraph.of(_("Admins change one with /set <name> <value>.")))
    return Reply(tuple(blocks), private=True)


@cmd("set", N_("Change a setting"), N_("`/set edit_window 30`, `/set report_threshold 5`, `/set reason_required "
                                       "on`."),
     M, params=(Param("name", ParamKind.CHOICE, N_("the setting"), required=True,
                      choices=("edit_window", "report_threshold", "reason_required", "approval", "slowmode")),
                Param("value", ParamKind.WORD, N_("the new value"), required=True)),
     admin=True, changes_state=True, example="edit_window 30", denied=N_("Only admins can change a setting."))
async def set_command(ctx: Context, args: str) -> Reply:
    name, value = split_first(args)
    if not name or not value:
        raise BotError("Usage: /set <name> <value>. /settings lists the names.")
    key, stored = normalise(name, value)
    await ctx.store.set_chat_setting(ctx.chat_key, key, stored, ctx.log("set", key, after=stored))
    return text_reply(f"⚙️ {key} = {stored}", private=True)
