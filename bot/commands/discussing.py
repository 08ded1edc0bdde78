"""Discussion commands: comment, reply, list, edit, delete, and one's own comments."""

from __future__ import annotations

from bot import views
from bot.commands.registry import REGISTRY, Group, Param, ParamKind
from bot.context import Context
from bot.errors import BotError
from bot.finder import find_sections
from bot.i18n import N_, Later, _
from bot.parsing import comment_number, human_duration, split_first
from bot.records import WHOLE_ARTICLE, Article, Comment, FilterMode, ModlogEntry, Status
from bot.submit import check_text, confirmation, matching_filter, record_comment
from bot.types import Anchor, Reply, text_reply

cmd = REGISTRY.command
D = Group.DISCUSSING
LISTED = (Status.VISIBLE,)


async def current_section_key(ctx: Context, article: Article) -> str:
    pos = await ctx.position()
    if pos is None or pos.article_id != article.id or article.section(pos.section_key) is None:
        return WHOLE_ARTICLE
    return pos.section_key


async def visible_comment(ctx: Context, number: int) -> Comment:
    """A comment of this chat that the asker may see; hidden ones only for admins."""
    comment = await ctx.store.comment(ctx.chat_key, number)
    if comment is None or (comment.status is not Status.VISIBLE and comment.author_key != ctx.user_key
                           and not await ctx.is_admin()):
        raise BotError("There is no comment #{number} in this chat.", number=number)
    return comment


@cmd("comment", N_("Comment on the section you are reading"),
     N_("`/comment <text>` comments on the section you last opened here, or on the whole article if none. "
        "You can also simply reply to a section I posted."),
     D, params=(Param("text", ParamKind.TEXT, N_("your comment"), required=True),), example="Nice point")
async def comment(ctx: Context, args: str) -> Reply:
    article = await ctx.article()
    if not args.strip():
        raise BotError("Write your comment after the command, like /comment I agree with this.")
    return await record_comment(ctx, article, await current_section_key(ctx, article), args)


@cmd("reply", N_("Reply to a comment"), N_("`/reply #3 <text>` answers comment #3. Replying to my message that "
                                             "shows a comment works too."),
     D, params=(Param("comment", ParamKind.COMMENT, N_("the comment's number, like #3"), required=True),
                Param("text", ParamKind.TEXT, N_("your reply"), required=True)), example="#1 I agree")
async def reply(ctx: Context, args: str) -> Reply:
    first, text = split_first(args)
    number = comment_number(first, N_("/reply #3 your reply"))
    parent = await visible_comment(ctx, number)
    if not text:
        raise BotError("Write your reply after the number, like /reply #{number} I agree.", number=number)
    article = await ctx.article()
    if parent.article_id != article.id:
        raise BotError("Comment #{number} is about another article; open it with /article first.", number=number)
    return await record_comment(ctx, article, parent.section_key, text, parent)


async def comments_page(ctx: Context, article: Article, key: str | None, before: int | None) -> Reply:
    rows = await ctx.store.comments(ctx.chat_key, article.id, key, LISTED, before, views.PAGE_SIZE + 1)
    more = rows[views.PAGE_SIZE - 1].number if len(rows) > views.PAGE_SIZE else None
    if key is None:
        title = _("Comments (older)") if before else _("Comments")
    else:
        title = (_("Comments on {section} (older)") if before else _("Comments on {section}")).format(
            section=views.section_label(article, key))
    hint = _("No comments yet. Be the first: /comment <text>.") if not before else _("No older comments.")
    shown = rows[:views.PAGE_SIZE]
    likes = await ctx.store.vote_counts(ctx.chat_key, [c.id for c in shown], ctx.now())
    return views.comments_page(article, title, shown, ctx.now(), section_key=key, more_before=more,
                               empty_hint=hint, likes=likes)


async def top_page(ctx: Context, article: Article) -> Reply:
    ranked = await ctx.store.top_comments(ctx.chat_key, article.id, ctx.now(), views.PAGE_SIZE)
    return views.comments_page(article, _("Most liked"), [c for c, _n in ranked], ctx.now(), section_key=None,
                               more_before=None, empty_hint=_("Nobody has liked a comment here yet."),
                               likes={c.id: n for c, n in ranked})


@cmd("comments", N_("Read the discussion"),
     N_("`/comments` shows the newest comments on the article, ten at a time; `/comments 2` or "
        "`/comments cost of living` those on one section; `/comments article` those on the article as a whole; "
        "`/comments top` the most liked."),
     D, params=(Param("section", ParamKind.SECTION, N_("a section number or words")),), example="1")
async def comments(ctx: Context, args: str) -> Reply:
    article = await ctx.article()
    query = args.strip()
    key: str | None = None
    if query.lower() in ("top", "best", "liked", "热门", "最热"):
        return await top_page(ctx, article)
    if query.lower() in ("article", "whole", "general", "全文", "文章"):
        key = WHOLE_ARTICLE
    elif query and query.lower() != "all":
        found = find_sections(article, query)
        if len(found) != 1:
            if found:
                raise BotError("Several sections match “{query}”. Use a number from /sections, like /comments 2.",
                               query=query[:60])
            raise BotError("No section matches “{query}”. Use a number from /sections, like /comments 2.",
                           query=query[:60])
        key = found[0].key
    return await comments_page(ctx, article, key, None)


GONE = {
    Status.DELETED: N_("Comment #{number} was deleted; it can't be changed now."),
    Status.REMOVED: N_("Comment #{number} was removed; it can't be changed now."),
    Status.REJECTED: N_("Comment #{number} was rejected; it can't be changed now."),
}


def _window_check(ctx: Context, comment: Comment, window_minutes: int, not_yours: str) -> None:
    if comment.author_key != ctx.user_key:
        raise BotError(not_yours)
    if comment.status in GONE:
        raise BotError(GONE[comment.status], number=comment.number)
    age = ctx.now() - comment.created_at
    if age > window_minutes * 60:
        raise BotError("Comments can be changed for {duration} after posting; #{number} is older than that.",
                       duration=Later(human_duration, window_minutes * 60), number=comment.number)


@cmd("edit", N_("Edit your comment"), N_("`/edit #3 <new text>` within the edit window; earlier versions are kept."),
     D, params=(Param("comment", ParamKind.COMMENT, N_("your comment's number"), required=True),
                Param("text", ParamKind.TEXT, N_("the new text"), required=True)), example="#1 Better words")
async def edit(ctx: Context, args: str) -> Reply:
    first, text = split_first(args)
    number = comment_number(first, N_("/edit #3 the new text"))
    target = await visible_comment(ctx, number)
    config = await ctx.config()
    _window_check(ctx, target, config.edit_window, N_("You can only edit your own comments."))
    body = check_text(text, ctx.services.comment_max_chars, editing=True)
    if body == target.text:
        return text_reply(_("#{number} already says that; nothing changed.").format(number=number), private=True)
    hit = None if await ctx.is_admin() else matching_filter(body, await ctx.store.filters(ctx.chat_key))
    if hit is not None and hit.mode is FilterMode.BLOCK:
        raise BotError("The new text contains a word that is not allowed in this chat; nothing changed.")
    updated = await ctx.store.edit_comment(
        target.id, body, ctx.now(), ctx.log("edit", f"#{number}", before=target.text, after=body))
    if hit is not None and updated.status is Status.VISIBLE:
        log = ModlogEntry(ctx.chat_key, ctx.now(), "system", "filter hold", f"#{number}",
                          f"word “{hit.word}” in an edit")
        updated = await ctx.store.set_status(updated.id, Status.PENDING, log, hold_reason="held by a word filter")
    article = await ctx.article()
    return confirmation(updated, article)


@cmd("delete", N_("Delete your comment"), N_("`/delete #3` within the edit window."),
     D, params=(Param("comment", ParamKind.COMMENT, N_("your comment's number"), required=True),), example="#1")
async def delete(ctx: Context, args: str) -> Reply:
    number = comment_number(args.strip().split(" ")[0], N_("/delete #3"))
    target = await visible_comment(ctx, number)
    config = await ctx.config()
    _window_check(ctx, target, config.edit_window, N_("You can only delete your own comments."))
    await ctx.store.set_status(target.id, Status.DELETED, None)
    return text_reply(_("🗑 Deleted #{number}.").format(number=number))


@cmd("mycomments", N_("Your comments in this chat"),
     N_("Lists your own comments here, newest first, with their status."), D)
async def mycomments(ctx: Context, args: str) -> Reply:
    article = await ctx.article()
    rows = await ctx.store.comments_by(ctx.chat_key, ctx.user_key, None, 20)
    reply = views.comments_page(article, _("Your comments"), rows, ctx.now(), section_key=None, more_before=None,
                                empty_hint=_("You have not commented here yet."))
    return Reply(reply.blocks, private=True)


async def comment_from_reply(ctx: Context, anchor: Anchor, text: str) -> Reply:
    """A plain reply to one of the bot's messages: a comment on what that message showed."""
    article = await ctx.article()
    if anchor.article_id != article.id:
        raise BotError("That message is about an article this chat is no longer reading; see /article.")
    if anchor.comment_number is not None:
        parent = await visible_comment(ctx, anchor.comment_number)
        return await record_comment(ctx, article, parent.section_key, text, parent)
    key = anchor.section_key or WHOLE_ARTICLE
    if key != WHOLE_ARTICLE and article.section(key) is None:
        raise BotError("That section is no longer in the article; see /sections.")
    return await record_comment(ctx, article, key, text)
