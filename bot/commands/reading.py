"""Reading commands: the article, its contents, sections one by one, search, help."""

from __future__ import annotations

from bot import views
from bot.actions import Verb, encode
from bot.commands.registry import REGISTRY, CommandSpec, Group, Param, ParamKind
from bot.context import Context
from bot.errors import BotError
from bot.finder import find_sections
from bot.i18n import N_, _, ngettext
from bot.records import WHOLE_ARTICLE, Article, Position, Section
from bot.types import Block, Button, Heading, Paragraph, Reply, Span, Style, text_reply

cmd = REGISTRY.command
R = Group.READING


async def show_section(ctx: Context, article: Article, section: Section) -> Reply:
    await ctx.store.set_position(ctx.chat_key, ctx.user_key, Position(article.id, section.key))
    count, locked = await ctx.store.section_state(ctx.chat_key, article.id, section.key)
    return views.section_view(article, section, count, locked)


HOT_DAYS = 3  # "most discussed now": the most comments within this many days


async def recent_counts(ctx: Context, article: Article) -> dict[str, int]:
    return await ctx.store.recent_section_counts(ctx.chat_key, article.id, ctx.now() - HOT_DAYS * 86_400)


async def show_intro(ctx: Context, article: Article) -> Reply:
    await ctx.store.set_position(ctx.chat_key, ctx.user_key, Position(article.id, WHOLE_ARTICLE))
    return views.overview(article, await ctx.store.section_counts(ctx.chat_key, article.id),
                          recent=await recent_counts(ctx, article))


async def show_section_by_key(ctx: Context, article_id: int, key: str) -> Reply:
    article = await ctx.article()
    if article.id != article_id:
        raise BotError("That button belongs to an article this chat is no longer reading. Try /sections.")
    if key == WHOLE_ARTICLE:
        return await show_intro(ctx, article)
    section = article.section(key)
    if section is None:
        raise BotError("That section is no longer in the article. Try /sections.")
    return await show_section(ctx, article, section)


@cmd("start", N_("Welcome, and the article's contents"),
     N_("Shows what this bot does and the article being read here. `/start section_3` opens section 3."),
     R, params=(Param("section", ParamKind.WORD, N_("open a section directly, e.g. section_3")),))
async def start(ctx: Context, args: str) -> Reply:
    article = await ctx.article()
    payload = args.strip()
    if payload.startswith("section_"):
        found = find_sections(article, payload.removeprefix("section_"))
        if len(found) == 1:
            return await show_section(ctx, article, found[0])
    welcome = Paragraph.of(_("Hi! I bring an article into this chat so you can read it section by section and "
                             "discuss it. Send /help for everything I can do."))
    counts = await ctx.store.section_counts(ctx.chat_key, article.id)
    reply = views.overview(article, counts, recent=await recent_counts(ctx, article))
    return Reply((welcome, *reply.blocks), reply.buttons, anchor=reply.anchor)


@cmd("help", N_("How to use the bot, or one command in detail"),
     N_("`/help` lists every command; `/help comment` explains one."),
     R, params=(Param("command", ParamKind.WORD, N_("a command name")),), example="comment")
async def help_command(ctx: Context, args: str) -> Reply:
    name = args.strip().lstrip("/").split("@")[0].split(" ")[0]
    if name:
        spec = REGISTRY.get(name)
        if spec is None:
            raise BotError("There is no /{name} command. Send /help for the list.", name=name[:30])
        return help_for(spec)
    is_admin = await ctx.is_admin()
    blocks: list[Block] = [Heading(_("Commands"))]
    for group in Group:
        if group is Group.MODERATING and not is_admin:
            continue
        blocks.append(Paragraph.of(Span(_(group.value), Style.BOLD)))
        for spec in REGISTRY.all():
            if spec.group is group:
                blocks.append(Paragraph.of(Span(spec.usage, Style.CODE), f" — {_(spec.summary)}"))
    blocks.append(Paragraph.of(_("Reply to a section I posted to comment on it. /help <command> explains one.")))
    if not is_admin:
        blocks.append(Paragraph.of(_("Admins have moderation commands too; anyone can /report a comment.")))
    return Reply(tuple(blocks))


def help_for(spec: CommandSpec) -> Reply:
    blocks: list[Block] = [Heading(f"/{spec.name}"), Paragraph.of(Span(spec.usage, Style.CODE)),
                           Paragraph.of(_(spec.help).replace("`", ""))]
    for p in spec.params:
        described = _(p.description) if p.required else _("{description} (optional)").format(
            description=_(p.description))
        blocks.append(Paragraph.of(Span(p.name, Style.BOLD), f" — {described}"))
    if spec.aliases:
        blocks.append(Paragraph.of(_("Also: {commands}").format(commands=", ".join(f"/{a}" for a in spec.aliases))))
    if spec.admin:
        blocks.append(Paragraph.of(Span(_("For admins."), Style.ITALIC)))
    return Reply(tuple(blocks))


@cmd("articles", N_("List the articles"), N_("Lists every imported article; pick one with /article <number>."), R)
async def articles(ctx: Context, args: str) -> Reply:
    items = await ctx.store.list_articles()
    if not items:
        raise BotError("No article has been imported yet. An admin can add one with /import.")
    current = (await ctx.article()).id
    blocks: list[Block] = [Heading(_("Articles"))]
    for i, item in enumerate(items, start=1):
        facts = ngettext("({slug}, {n} section)", "({slug}, {n} sections)", item.section_count).format(
            slug=item.slug, n=item.section_count)
        mark = "  " + _("← reading here") if item.id == current else ""
        blocks.append(Paragraph.of(f"{i}. ", Span(item.title, Style.BOLD), f" {facts}{mark}"))
    rows = tuple((Button(f"{i}. {a.title}"[:60], encode(Verb.ARTICLE, a.id)),)
                 for i, a in enumerate(items[:8], start=1))
    return Reply(tuple(blocks), rows)


async def select_article(ctx: Context, article_id: int) -> Reply:
    article = await ctx.store.get_article(article_id)
    if article is None:
        raise BotError("That article no longer exists. See /articles.")
    current = await ctx.store.chat_article(ctx.chat_key)
    if current != article.id and not ctx.event.chat.private:
        await ctx.require_admin(N_("Only admins can change the article this chat reads."))
    await ctx.store.set_chat_article(ctx.chat_key, article.id)
    return await show_intro(ctx, article)


@cmd("article", N_("Show the article (or pick another: admins)"),
     N_("Shows the title, byline, intro and contents. `/article 2` or `/article my-slug` picks another "
        "article for this chat (admins in groups)."),
     R, params=(Param("article", ParamKind.ARTICLE, N_("number from /articles or slug")),))
async def article_command(ctx: Context, args: str) -> Reply:
    wanted = args.strip()
    if not wanted:
        return await show_intro(ctx, await ctx.article())
    items = await ctx.store.list_articles()
    chosen = None
    if wanted.isascii() and wanted.isdigit() and 1 <= int(wanted) <= len(items):
        chosen = items[int(wanted) - 1]
    else:
        chosen = next((a for a in items if a.slug == wanted.lower()), None)
    if chosen is None:
        raise BotError("No article “{wanted}”. /articles lists them by number and slug.", wanted=wanted[:40])
    return await select_article(ctx, chosen.id)


@cmd("sections", N_("Contents with comment counts"),
     N_("Lists the sections with how many comments each has; 🔥 marks the one with the most comments in the last "
        "three days."),
     R, aliases=("contents", "toc"))
async def sections(ctx: Context, args: str) -> Reply:
    article = await ctx.article()
    return views.contents(article, await ctx.store.section_counts(ctx.chat_key, article.id),
                          await recent_counts(ctx, article))


@cmd("section", N_("Read a section"), N_("`/section 2` or `/section cost of living` opens a section."),
     R, params=(Param("section", ParamKind.SECTION, N_("number or words from the heading"), required=True),),
     aliases=("read",), example="2")
async def section(ctx: Context, args: str) -> Reply:
    article = await ctx.article()
    query = args.strip()
    if not query:
        raise BotError("Which section? Send /section 1 to /section {last}, or words from its heading. "
                       "/sections lists them.", last=len(article.sections))
    found = find_sections(article, query)
    if len(found) == 1:
        return await show_section(ctx, article, found[0])
    if not found:
        if query.isascii() and query.isdigit():
            raise BotError("There is no section {number}: this article has sections 1 to {last}.",
                           number=query[:12], last=len(article.sections))
        raise BotError("No section matches “{query}”. /sections lists them.", query=query[:60])
    blocks: list[Block] = [Paragraph.of(_("Several sections match “{query}”:").format(query=query[:60]))]
    blocks += [Paragraph.of(f"{s.position}. ", Span(s.heading, Style.BOLD)) for s in found]
    rows = tuple((Button(f"{s.position}. {s.heading}"[:60], encode(Verb.SECTION, article.id, s.key)),)
                 for s in found[:6])
    return Reply(tuple(blocks), rows)


async def step(ctx: Context, delta: int) -> Reply:
    article = await ctx.article()
    if not article.sections:
        raise BotError("This article has no sections.")
    pos = await ctx.position()
    current = article.section(pos.section_key) if pos and pos.article_id == article.id else None
    index = (current.position - 1 + delta) if current else (0 if delta > 0 else -1)
    if index < 0:
        return await show_intro(ctx, article)
    if index >= len(article.sections):
        reply = text_reply(_("That was the last section. /comments shows the discussion, /sections the contents."))
        return Reply(reply.blocks, ((Button(_("💬 Comments"), encode(Verb.COMMENTS, article.id, "*", 0)),),))
    return await show_section(ctx, article, article.sections[index])


@cmd("next", N_("Next section"), N_("Opens the section after the one you last read."), R)
async def next_section(ctx: Context, args: str) -> Reply:
    return await step(ctx, +1)


@cmd("prev", N_("Previous section"), N_("Opens the section before the one you last read."), R,
     aliases=("previous",))
async def prev_section(ctx: Context, args: str) -> Reply:
    return await step(ctx, -1)


@cmd("search", N_("Search the article"), N_("`/search rail` shows each section mentioning it, with a snippet."),
     R, params=(Param("words", ParamKind.TEXT, N_("what to look for"), required=True),), example="rail")
async def search(ctx: Context, args: str) -> Reply:
    query = args.strip()
    if not query:
        raise BotError("Search for what? For example: /search cost of living")
    if len(query) > 200:
        raise BotError("That search is too long; try a few words.")
    article = await ctx.article()
    hits = await ctx.store.search(article.id, query, limit=8)
    if not hits:
        return text_reply(_("Nothing in “{title}” matches “{query}”.").format(title=article.title, query=query))
    return views.search_results(article, query, hits)
