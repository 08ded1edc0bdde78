"""Bringing articles in (/import) and discussions out (/export)."""

from __future__ import annotations

import asyncio
import re

from bot.article import slugify
from bot.commands.registry import REGISTRY, Group, Param, ParamKind
from bot.context import Context
from bot.errors import BotError, ImportRefused
from bot.export import FORMATS, export_chat
from bot.importer import parse_article
from bot.types import File, Paragraph, Reply, Span, Style, text_reply

cmd = REGISTRY.command


@cmd("export", "Download this chat's comments", "`/export [json|csv|md]`: md is the article with its discussion "
     "under each section.", Group.MODERATING,
     params=(Param("format", ParamKind.CHOICE, "json, csv or md", choices=FORMATS),), admin=True, example="md")
async def export(ctx: Context, args: str) -> Reply:
    fmt = args.strip().lower() or "md"
    if fmt not in FORMATS:
        raise BotError("Export as json, csv or md, like /export md.")
    article = await ctx.article()
    name, content, mime = await export_chat(ctx.store, ctx.chat_key, article, fmt)
    return Reply((Paragraph.of("📦 This chat's discussion of ", Span(article.title, Style.BOLD), f" ({fmt})."),),
                 file=File(name, content, mime), private=True)


@cmd("import", "Import an article (attach a file)", "Send /import with a .txt, .md or .html file attached "
     "(`/import my-slug` sets its short name). Importing the same slug again updates it; comments stay.",
     Group.MODERATING, params=(Param("slug", ParamKind.WORD, "short name for the article"),), admin=True,
     changes_state=True)
async def import_command(ctx: Context, args: str) -> Reply:
    attachment = ctx.event.attachment
    if attachment is None:
        raise BotError("Send the article as a file (.txt, .md or .html) with the /import command.")
    limit = ctx.services.import_max_bytes
    if attachment.size is not None and attachment.size > limit:
        raise ImportRefused(f"The file is {attachment.size / 1e6:.1f} MB; the limit is {limit / 1e6:.1f} MB.")
    data = await ctx.platform.fetch(attachment)
    # big HTML takes the extractor a second or two: off the event loop, so other chats keep being served
    parsed = await asyncio.to_thread(parse_article, data, filename=attachment.filename, max_bytes=limit)
    wanted = args.strip().split(" ")[0]
    slug = slugify(wanted or re.sub(r"\.\w+$", "", attachment.filename) or parsed.title)
    saved = await ctx.store.save_article(slug, parsed, ctx.now())
    await ctx.store.set_chat_article(ctx.chat_key, saved.id)
    await ctx.store.add_modlog(ctx.log("import", slug, after=parsed.title))
    verb = "Imported" if saved.created else "Updated"
    lines = [f"{verb} “{parsed.title}” as {slug} with {len(parsed.sections)} sections; this chat now reads it."]
    if saved.orphaned:
        lines.append(f"Comments on {len(saved.orphaned)} section(s) no longer in the article are kept: "
                     + ", ".join(saved.orphaned))
    return text_reply(*lines)
