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
from bot.parsing import comment_number, duration, human_duration, split_first
from bot.records import WHOLE_ARTICLE, Ban, Comment, FilterMode, ModlogEntry, Report, Status, WordFilter
from bot.submit import until_text
from bot.types import Block, Button, Heading, Paragraph, Quote, Reply, Span, Style, text_reply
from bot.users import named_user

cmd = REGISTRY.command
M = Group.MODERATING
HIDDEN = (Status.PENDING,)


async def chat_comment(ctx: Context, word: str, usage: str) -> Comment:
    number = comment_number(word, usage)
    comment = await ctx.store.comment(ctx.chat_key, number)
    if comment is None:
        raise BotError(f"There is no comment #{number} in this chat.")
    return comment


async def reason_check(ctx: Context, reason: str, doing: str) -> str | None:
    text = reason.strip()[:500]
    if not text and (await ctx.config()).reason_required:
        raise BotError(f"This chat requires a reason to {doing}. Add it after the command.")
    return text or None


@cmd("remove", "Hide a comment", "`/remove #3 [reason]` hides comment #3; it stays in the modlog and can be "
     "brought back with /restore.", M,
     params=(Param("comment", ParamKind.COMMENT, "the comment's number", required=True),
             Param("reason", ParamKind.TEXT, "why, for the modlog")),
     admin=True, changes_state=True, example="#1 off topic")
async def remove(ctx: Context, args: str) -> Reply:
    first, rest = split_first(args)
    target = await chat_comment(ctx, first, "/remove #3 [reason]")
    reason = await reason_check(ctx, rest, "remove a comment")
    if target.status is Status.REMOVED:
        return text_reply(f"#{target.number} is already removed.", private=True)
    await ctx.store.set_status(target.id, Status.REMOVED,
                               ctx.log("remove", f"#{target.number}", reason, before=target.text))
    await ctx.store.resolve_reports(target.id)
    return text_reply(f"🚫 Removed #{target.number} by {target.author_name}." + (f" Reason: {reason}" if reason
                      else ""), private=True)


@cmd("restore", "Bring back a removed comment", "`/restore #3` makes a removed or held comment visible again.",
     M, params=(Param("comment", ParamKind.COMMENT, "the comment's number", required=True),),
     admin=True, changes_state=True, example="#1")
async def restore(ctx: Context, args: str) -> Reply:
    target = await chat_comment(ctx, args.strip().split(" ")[0], "/restore #3")
    if target.status is Status.VISIBLE:
        return text_reply(f"#{target.number} is already visible.", private=True)
    if target.status is Status.DELETED:
        raise BotError(f"#{target.number} was deleted by its author; it can't be restored.")
    await ctx.store.set_status(target.id, Status.VISIBLE, ctx.log("restore", f"#{target.number}",
                                                                   after=target.text))
    await ctx.store.resolve_reports(target.id)
    return text_reply(f"♻️ Restored #{target.number}.", private=True)


@cmd("purge", "Remove all of a user's comments here", "`/purge <user>` hides every comment the user made in "
     "this chat.", M, params=(Param("user", ParamKind.USER, "who", required=True),
                              Param("reason", ParamKind.TEXT, "why")),
     admin=True, changes_state=True, example="member")
async def purge(ctx: Context, args: str) -> Reply:
    user, rest = await named_user(ctx, args, "/purge <user>")
    reason = await reason_check(ctx, rest, "purge")
    count = await ctx.store.set_status_by_author(ctx.chat_key, user.key, Status.REMOVED,
                                                 ctx.log("purge", user.key, reason))
    return text_reply(f"🧹 Removed {count} comment{'s' if count != 1 else ''} by {user.name}.", private=True)


@cmd("ban", "Stop a user from commenting here", "`/ban <user> [30m|2h|7d] [reason]`; no duration bans for good. "
     "Reply to someone's message with /ban to name them.", M,
     params=(Param("user", ParamKind.USER, "who", required=True),
             Param("duration", ParamKind.DURATION, "like 30m, 2h, 7d; empty = permanent"),
             Param("reason", ParamKind.TEXT, "why, shown to them")),
     admin=True, changes_state=True, example="member 2h spam")
async def ban(ctx: Context, args: str) -> Reply:
    user, rest = await named_user(ctx, args, "/ban <user> [duration] [reason]")
    if user.key == ctx.user_key:
        raise BotError("You can't ban yourself.")
    if user.key in ctx.services.permissions.owners:
        raise BotError("The bot's owners can't be banned.")
    word, after = split_first(rest)
    seconds = duration(word) if word else None
    reason_text = after if seconds is not None else rest
    reason = await reason_check(ctx, reason_text, "ban")
    until = ctx.now() + seconds if seconds is not None else None
    length = human_duration(seconds) if seconds is not None else "permanent"
    await ctx.store.ban(Ban(ctx.chat_key, user.key, until, reason, ctx.user_key),
                        ctx.log("ban", user.key, reason, after=length))
    return text_reply(f"⛔ {user.name} is banned from commenting here {until_text(until, ctx.now())}."
                      + (f" Reason: {reason}" if reason else ""), private=True)


@cmd("unban", "Lift a ban", "`/unban <user>` lets them comment again.", M,
     params=(Param("user", ParamKind.USER, "who", required=True),),
     admin=True, changes_state=True, example="member")
async def unban(ctx: Context, args: str) -> Reply:
    user, _ = await named_user(ctx, args, "/unban <user>")
    if not await ctx.store.unban(ctx.chat_key, user.key, ctx.log("unban", user.key)):
        return text_reply(f"{user.name} is not banned here.", private=True)
    return text_reply(f"✅ {user.name} can comment again.", private=True)


async def lock_target(ctx: Context, args: str) -> tuple[int, str, str]:
    article = await ctx.article()
    query = args.strip()
    if not query:
        return article.id, WHOLE_ARTICLE, "the whole article"
    found = find_sections(article, query)
    if len(found) != 1:
        raise BotError(f"Name one section, like /lock 2. {'Several' if found else 'No'} sections match "
                       f"“{query[:40]}”.")
    return article.id, found[0].key, f"§{found[0].position} {found[0].heading}"


@cmd("lock", "Close commenting", "`/lock` closes the whole article here; `/lock 2` one section.", M,
     params=(Param("section", ParamKind.SECTION, "a section; empty = the whole article"),),
     admin=True, changes_state=True, example="2")
async def lock(ctx: Context, args: str) -> Reply:
    article_id, key, label = await lock_target(ctx, args)
    changed = await ctx.store.set_lock(ctx.chat_key, article_id, key, True, ctx.log("lock", label))
    return text_reply(f"🔒 Commenting on {label} is closed." if changed else f"{label} was already locked.",
                      private=not changed)


@cmd("unlock", "Reopen commenting", "`/unlock` reopens the article; `/unlock 2` one section.", M,
     params=(Param("section", ParamKind.SECTION, "a section; empty = the whole article"),),
     admin=True, changes_state=True, example="")
async def unlock(ctx: Context, args: str) -> Reply:
    article_id, key, label = await lock_target(ctx, args)
    changed = await ctx.store.set_lock(ctx.chat_key, article_id, key, False, ctx.log("unlock", label))
    return text_reply(f"🔓 Commenting on {label} is open again." if changed else f"{label} was not locked.",
                      private=not changed)


@cmd("approval", "Queue new comments for approval", "`/approval on` makes new comments wait for an admin; "
     "`/approval off` publishes them at once.", M,
     params=(Param("state", ParamKind.CHOICE, "on or off", required=True, choices=("on", "off")),),
     admin=True, changes_state=True, example="on")
async def approval(ctx: Context, args: str) -> Reply:
    word = args.strip().lower()
    if word not in ("on", "off"):
        state = "on" if (await ctx.config()).approval else "off"
        raise BotError(f"Approval is {state}. Use /approval on or /approval off.")
    await ctx.store.set_chat_setting(ctx.chat_key, "approval", word, ctx.log("approval", word))
    return text_reply("⏳ New comments now wait for approval; see /pending." if word == "on"
                      else "New comments are published at once.")


@cmd("pending", "The approval queue and reports", "Lists comments waiting for approval and reported comments, "
     "with approve and reject buttons.", M, admin=True)
async def pending(ctx: Context, args: str) -> Reply:
    article = await ctx.article()
    rows = await ctx.store.comments(ctx.chat_key, article.id, None, HIDDEN, None, 10)
    reported = {c.id: n for c, n in await ctx.store.open_reports(ctx.chat_key, 20)}
    extra = [c for c, _ in await ctx.store.open_reports(ctx.chat_key, 20)
             if c.status is Status.VISIBLE]
    blocks: list[Block] = [Heading("Waiting for review")]
    if not rows and not extra:
        blocks.append(Paragraph.of("Nothing is waiting. 🎉"))
    buttons: list[tuple[Button, ...]] = []
    for comment in [*rows, *extra][:10]:
        blocks.extend(views.comment_blocks(comment, article, ctx.now(), show_section=True))
        if comment.id in reported:
            blocks.append(Paragraph.of(Span(f"⚑ reported {reported[comment.id]} time(s)", Style.ITALIC)))
        buttons.append((Button(f"✅ Approve #{comment.number}", encode(Verb.APPROVE, comment.number)),
                        Button(f"❌ Reject #{comment.number}", encode(Verb.REJECT, comment.number))))
    return Reply(tuple(blocks), tuple(buttons), private=True)


async def approve_number(ctx: Context, number: int, reason: str | None) -> Reply:
    comment = await ctx.store.comment(ctx.chat_key, number)
    if comment is None:
        raise BotError(f"There is no comment #{number} in this chat.")
    if comment.status is Status.VISIBLE:
        await ctx.store.resolve_reports(comment.id)
        return text_reply(f"#{number} is already visible; its reports are closed.", private=True)
    if comment.status is not Status.PENDING:
        raise BotError(f"#{number} is {comment.status.value}, not waiting for approval. /restore brings back "
                       "removed comments.")
    await ctx.store.set_status(comment.id, Status.VISIBLE, ctx.log("approve", f"#{number}", reason,
                                                                    after=comment.text))
    await ctx.store.resolve_reports(comment.id)
    return text_reply(f"✅ Approved #{number} by {comment.author_name}.")


async def reject_number(ctx: Context, number: int, reason: str | None) -> Reply:
    comment = await ctx.store.comment(ctx.chat_key, number)
    if comment is None:
        raise BotError(f"There is no comment #{number} in this chat.")
    if comment.status not in (Status.PENDING, Status.VISIBLE):
        raise BotError(f"#{number} is already {comment.status.value}.")
    await ctx.store.set_status(comment.id, Status.REJECTED, ctx.log("reject", f"#{number}", reason,
                                                                     before=comment.text))
    await ctx.store.resolve_reports(comment.id)
    return text_reply(f"❌ Rejected #{number}." + (f" Reason: {reason}" if reason else ""), private=True)


@cmd("approve", "Approve a waiting comment", "`/approve #3` publishes a comment from the queue.", M,
     params=(Param("comment", ParamKind.COMMENT, "the comment's number", required=True),),
     admin=True, changes_state=True, example="#1")
async def approve(ctx: Context, args: str) -> Reply:
    first, rest = split_first(args)
    return await approve_number(ctx, comment_number(first, "/approve #3"), rest or None)


@cmd("reject", "Reject a waiting comment", "`/reject #3 [reason]` refuses a comment from the queue.", M,
     params=(Param("comment", ParamKind.COMMENT, "the comment's number", required=True),
             Param("reason", ParamKind.TEXT, "why")),
     admin=True, changes_state=True, example="#1 spam")
async def reject(ctx: Context, args: str) -> Reply:
    first, rest = split_first(args)
    return await reject_number(ctx, comment_number(first, "/reject #3 [reason]"), rest.strip()[:500] or None)


@cmd("filter", "Word filter", "`/filter add <word> [block|hold]`, `/filter remove <word>`, `/filter list`. "
     "Whole words, any case; block refuses the comment, hold queues it.", M,
     params=(Param("action", ParamKind.CHOICE, "add, remove or list", required=True,
                   choices=("add", "remove", "list")),
             Param("word", ParamKind.WORD, "the word"),
             Param("mode", ParamKind.CHOICE, "block or hold (add only)", choices=("block", "hold"))),
     admin=True, changes_state=True, example="add spam block")
async def filter_command(ctx: Context, args: str) -> Reply:
    action, rest = split_first(args)
    action = action.lower()
    if action in ("", "list"):
        words = await ctx.store.filters(ctx.chat_key)
        if not words:
            return text_reply("No filtered words here. Add one with /filter add <word> [block|hold].",
                              private=True)
        return Reply((Heading("Filtered words"),
                      *(Paragraph.of(Span(w.word, Style.CODE), f" — {w.mode.value}") for w in words)),
                     private=True)
    word, mode_text = split_first(rest)
    if not word:
        raise BotError(f"Which word? Usage: /filter {action} <word>" + (" [block|hold]" if action == "add"
                                                                         else ""))
    if len(word) > 64:
        raise BotError("Filtered words are at most 64 characters.")
    if action == "add":
        mode_word = mode_text.strip().lower() or "block"
        if mode_word not in ("block", "hold"):
            raise BotError("The mode is block (refuse the comment) or hold (send it to /pending).")
        mode = FilterMode(mode_word)
        await ctx.store.add_filter(ctx.chat_key, WordFilter(word, mode), ctx.log("filter add", word, mode.value))
        return text_reply(f"Comments containing “{word}” will be {'refused' if mode is FilterMode.BLOCK else 'held'}"
                          ".", private=True)
    if action == "remove":
        removed = await ctx.store.remove_filter(ctx.chat_key, word, ctx.log("filter remove", word))
        return text_reply(f"Removed “{word}” from the filter." if removed else f"“{word}” was not filtered.",
                          private=True)
    raise BotError("Use /filter add <word> [block|hold], /filter remove <word> or /filter list.")


@cmd("slowmode", "Limit how often members comment", "`/slowmode 60` allows one comment per member per 60 "
     "seconds (also 5m, 1h); `/slowmode off` turns it off.", M,
     params=(Param("interval", ParamKind.WORD, "seconds, like 60 or 5m, or off", required=True),),
     admin=True, changes_state=True, example="60")
async def slowmode(ctx: Context, args: str) -> Reply:
    word = args.strip().lower()
    if not word:
        current = (await ctx.config()).slowmode
        raise BotError(f"Slow mode is {human_duration(current) if current else 'off'}. "
                       "Use /slowmode 60, /slowmode 5m or /slowmode off.")
    seconds = 0 if word in ("off", "0") else (int(word) if word.isascii() and word.isdigit() else duration(word))
    if seconds is None or seconds > 86_400:
        raise BotError("Give seconds (like 60), a duration up to a day (like 5m or 1h), or off.")
    _, value = normalise("slowmode", str(seconds))
    await ctx.store.set_chat_setting(ctx.chat_key, "slowmode", value, ctx.log("slowmode", value))
    return text_reply(f"🐢 Slow mode: one comment per member every {human_duration(seconds)}." if seconds
                      else "Slow mode is off.")


@cmd("report", "Report a comment to the admins", "`/report #3 [reason]`: once enough people report a comment "
     "it is hidden until an admin looks at it.", Group.DISCUSSING,
     params=(Param("comment", ParamKind.COMMENT, "the comment's number", required=True),
             Param("reason", ParamKind.TEXT, "what is wrong with it")), example="#1 rude")
async def report(ctx: Context, args: str) -> Reply:
    first, rest = split_first(args)
    target = await visible_comment(ctx, comment_number(first, "/report #3 [reason]"))
    if target.author_key == ctx.user_key:
        raise BotError("You can't report your own comment; /delete it instead.")
    if target.status is not Status.VISIBLE:
        return text_reply(f"#{target.number} is already hidden for review. Thank you.", private=True)
    threshold = (await ctx.config()).report_threshold
    hidden_log = ModlogEntry(ctx.chat_key, ctx.now(), "system", "report hold", f"#{target.number}",
                             f"{threshold} reports", before=target.text)
    added, count = await ctx.store.add_report(
        Report(target.id, ctx.user_key, rest.strip()[:500] or None, ctx.now()), threshold, hidden_log)
    if not added:
        return text_reply(f"You already reported #{target.number}.", private=True)
    if count >= threshold:
        return text_reply(f"Thanks. #{target.number} is hidden until an admin reviews it.", private=True)
    return text_reply(f"Thanks, the admins will see your report on #{target.number}.", private=True)


@cmd("modlog", "Recent moderation actions", "`/modlog [n]` shows the last n actions (default 10, up to 50).", M,
     params=(Param("count", ParamKind.NUMBER, "how many"),), admin=True, example="5")
async def modlog(ctx: Context, args: str) -> Reply:
    word = args.strip()
    n = int(word) if word.isascii() and word.isdigit() else 10
    entries = await ctx.store.modlog(ctx.chat_key, max(1, min(n, 50)))
    blocks: list[Block] = [Heading("Moderation log")]
    if not entries:
        blocks.append(Paragraph.of("No moderation actions yet."))
    for e in entries:
        actor = "automatic" if e.actor_key == "system" else (await ctx.store.user_name(e.actor_key) or e.actor_key)
        line = f" · {actor} · {e.action} {e.target}" + (f" · {e.reason}" if e.reason else "")
        blocks.append(Paragraph.of(Span(views.ago(ctx.now() - e.at), Style.ITALIC), line))
        if e.before:
            blocks.append(Quote(f"before: {e.before}"))
        if e.after and e.action in ("edit", "restore", "approve"):
            blocks.append(Quote(f"after: {e.after}"))
    return Reply(tuple(blocks), private=True)


@cmd("settings", "This chat's settings", "Shows the settings admins can change with /set.", M)
async def settings(ctx: Context, args: str) -> Reply:
    config = await ctx.config()
    blocks: list[Block] = [Heading("Settings")]
    for name, value, description in config.shown():
        blocks.append(Paragraph.of(Span(name, Style.CODE), f" = {value} — {description}"))
    blocks.append(Paragraph.of("Admins change one with /set <name> <value>."))
    return Reply(tuple(blocks), private=True)


@cmd("set", "Change a setting", "`/set edit_window 30`, `/set report_threshold 5`, `/set reason_required on`.",
     M, params=(Param("name", ParamKind.CHOICE, "the setting", required=True,
                      choices=("edit_window", "report_threshold", "reason_required", "approval", "slowmode")),
                Param("value", ParamKind.WORD, "the new value", required=True)),
     admin=True, changes_state=True, example="edit_window 30")
async def set_command(ctx: Context, args: str) -> Reply:
    name, value = split_first(args)
    if not name or not value:
        raise BotError("Usage: /set <name> <value>. /settings lists the names.")
    key, stored = normalise(name, value)
    await ctx.store.set_chat_setting(ctx.chat_key, key, stored, ctx.log("set", key, after=stored))
    return text_reply(f"⚙️ {key} = {stored}", private=True)
