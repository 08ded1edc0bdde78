"""Bringing articles in (/import) and discussions out (/export)."""

from __future__ import annotations

import asyncio
import re
from urllib.parse import urlsplit

from bot.article import slugify
from bot.commands.registry import REGISTRY, Group, Param, ParamKind
from bot.context import Context
from bot.errors import BotError, ImportRefused
from bot.export import FORMATS, export_chat
from bot.i18n import N_, _, ngettext
from bot.importer import parse_article
from bot.records import ArticleSource, FetchedPage
from bot.types import File, Paragraph, Reply, text_reply

cmd = REGISTRY.command


@cmd("export", N_("Download this chat's comments"), N_("`/export [json|csv|md]`: md is the article with its "
                                                        "discussion under each section."), Group.MODERATING,
     params=(Param("format", ParamKind.CHOICE, N_("json, csv or md"), choices=FORMATS),), admin=True, example="md",
     denied=N_("Only admins can download this chat's comments."))
async def export(ctx: Context, args: str) -> Reply:
    fmt = args.strip().lower() or "md"
    if fmt not in FORMATS:
        raise BotError("Export as json, csv or md, like /export md.")
    article = await ctx.article()
    name, content, mime = await export_chat(ctx.store, ctx.chat_key, article, fmt)
    return Reply((Paragraph.of(_("📦 This chat's discussion of “{title}” ({format}).").format(
        title=article.title, format=fmt)),),
                 file=File(name, content, mime), private=True)


@cmd("import", N_("Import an article (a link or a file)"),
     N_("`/import https://…` brings in the page at that link; or send /import with a .txt, .md or .html file "
        "attached. A word after it sets the short name (`/import https://… my-slug`). Importing the same slug "
        "again updates it; comments stay."),
     Group.MODERATING, params=(Param("source", ParamKind.TEXT, N_("a link, and/or a short name for the article")),),
     admin=True, changes_state=True, denied=N_("Only admins can import an article."))
async def import_command(ctx: Context, args: str) -> Reply:
    words = args.split()
    link = next((w for w in words if LINK.match(w)), None)
    wanted = next((w for w in words if w is not link), "")
    limit = ctx.services.import_max_bytes
    page = None
    if link is not None:
        page = await fetch_page(ctx, link)
        # the page arrives decoded; the importer reads UTF-8 bytes and is told the kind by the name
        # (the fetcher held the page to the size limit before decoding; UTF-8 may be a little longer)
        data, filename, source = page.text.encode(), f"page{PAGE_SUFFIX[page.kind]}", page.url
    else:
        attachment = ctx.event.attachment
        if attachment is None:
            raise BotError("Send a link (/import https://…) or attach the article as a file (.txt, .md or .html).")
        if attachment.size is not None and attachment.size > limit:
            raise ImportRefused("The file is {size} MB; the limit is {limit} MB.",
                                size=format(attachment.size / 1e6, ".1f"), limit=format(limit / 1e6, ".1f"))
        data, filename, source = await ctx.platform.fetch(attachment), attachment.filename, None
    # big HTML takes the extractor a second or two: off the event loop, so other chats keep being served
    most = limit if source is None else max(limit, len(data))
    parsed = await asyncio.to_thread(parse_article, data, filename=filename, max_bytes=most)
    fallback = slug_from_link(source) if source else re.sub(r"\.\w+$", "", filename)
    slug = slugify(wanted or fallback or parsed.title)
    saved = await ctx.store.save_article(slug, parsed, ctx.now())
    await ctx.store.set_article_source(saved.id, source_of(page))
    await ctx.store.set_chat_article(ctx.chat_key, saved.id)
    await ctx.store.add_modlog(ctx.log("import", slug, after=parsed.title))
    n = len(parsed.sections)
    if saved.created:
        done = ngettext("Imported “{title}” as {slug} with {n} section; this chat now reads it.",
                        "Imported “{title}” as {slug} with {n} sections; this chat now reads it.", n)
    else:
        done = ngettext("Updated “{title}” as {slug} with {n} section; this chat now reads it.",
                        "Updated “{title}” as {slug} with {n} sections; this chat now reads it.", n)
    lines = [done.format(title=parsed.title, slug=slug, n=n)]
    if source:
        lines.append(_("From {source}").format(source=source))
    lines += kept_lines(saved.orphaned)
    return text_reply(*lines)


def kept_lines(orphaned: tuple[str, ...]) -> list[str]:
    if not orphaned:
        return []
    return [ngettext("Comments on {n} section no longer in the article are kept: {sections}",
                     "Comments on {n} sections no longer in the article are kept: {sections}",
                     len(orphaned)).format(n=len(orphaned), sections=", ".join(orphaned))]


def source_of(page: FetchedPage | None) -> ArticleSource | None:
    return None if page is None else ArticleSource(page.url, page.etag, page.last_modified)


@cmd("refresh", N_("Fetch the article's page again"),
     N_("Fetches the page this chat's article was imported from and updates the article in place; comments stay "
        "on their sections, and those on sections that vanished are kept. Asks the site whether anything changed "
        "first."), Group.MODERATING, admin=True, changes_state=True,
     denied=N_("Only admins can fetch the article's page again."))
async def refresh(ctx: Context, args: str) -> Reply:
    article = await ctx.article()
    source = await ctx.store.article_source(article.id)
    if source is None:
        raise BotError("“{title}” was not imported from a link, so there is nothing to fetch again. "
                       "Import a new version with /import.", title=article.title)
    pages = ctx.services.pages
    if pages is None:
        raise BotError("Fetching pages is not available here.")
    page = await pages.fetch_page(source.url, etag=source.etag, last_modified=source.last_modified)
    if page.kind == "unchanged":
        return text_reply(_("“{title}” is up to date: the site says the page has not changed.").format(
            title=article.title))
    if page.kind not in PAGE_SUFFIX:
        raise ImportRefused("That page could not be read as an article.")
    data = page.text.encode()
    most = max(ctx.services.import_max_bytes, len(data))
    parsed = await asyncio.to_thread(parse_article, data, filename=f"page{PAGE_SUFFIX[page.kind]}", max_bytes=most)
    saved = await ctx.store.save_article(article.slug, parsed, ctx.now())
    await ctx.store.set_article_source(saved.id, source_of(page))
    await ctx.store.add_modlog(ctx.log("refresh", article.slug, before=article.title, after=parsed.title))
    n = len(parsed.sections)
    lines = [ngettext("Refreshed “{title}” from {url}: {n} section.", "Refreshed “{title}” from {url}: {n} sections.",
                      n).format(title=parsed.title, url=page.url, n=n)]
    lines += kept_lines(saved.orphaned)
    return text_reply(*lines)


LINK = re.compile(r"https?://\S+", re.IGNORECASE)
PAGE_SUFFIX = {"html": ".html", "markdown": ".md", "text": ".txt"}


async def fetch_page(ctx: Context, link: str) -> FetchedPage:
    pages = ctx.services.pages
    if pages is None:
        raise BotError("Import by link is not available here; attach the article as a file instead.")
    page = await pages.fetch_page(link)
    if page.kind not in PAGE_SUFFIX:
        raise ImportRefused("That page could not be read as an article.")
    return page


def slug_from_link(url: str) -> str:
    path = urlsplit(url).path.rstrip("/")
    last = path.rsplit("/", 1)[-1]
    return re.sub(r"\.\w+$", "", last) or urlsplit(url).hostname or ""
