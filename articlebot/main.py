"""`articlebot` command line: run, console, import, export. Wires settings, storage and adapters."""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import logging
import os
import sqlite3
import sys
import time
from pathlib import Path

from pydantic import SecretStr

import bot
from adapters.base import AdapterStartError
from adapters.runner import AdaptersGaveUp
from adapters.web.feeds import FeedFetcher
from adapters.web.pages import PageFetcher
from articlebot import logs
from articlebot.dbcommands import add_db_parser, plain_error, redact, run_copy, run_migrate, url_password_forms
from articlebot.settings import Settings
from articlebot.telegramcommands import add_telegram_parser, run_telegram
from bot.article import ParsedArticle
from bot.chat_config import ChatConfig
from bot.core import Core
from bot.errors import BotError
from bot.export import FORMATS, export_chat
from bot.i18n import normalize
from bot.importer import parse_article
from bot.types import Chat, User
from storage.open import AnyStore, is_postgres
from storage.open import open_store as storage_open

log = logging.getLogger("articlebot")

DEMO_PATH = Path(bot.__file__).parent / "demo_article.txt"
DEMO_SLUG = "demo"


def deployed_version() -> str:
    """The installed package's version (pyproject's), with the git commit when run from a checkout."""
    try:
        version = importlib.metadata.version("articlebot")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    head = Path(__file__).resolve().parent.parent / ".git" / "HEAD"
    try:
        ref = head.read_text().strip()
        commit = (head.parent / ref[5:]).read_text().strip() if ref.startswith("ref: ") else ref
        return f"{version} ({commit[:12]})"
    except OSError:
        return version


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="articlebot", description="Read an article together and discuss it.")
    parser.add_argument("--version", action="version", version=f"articlebot {deployed_version()}",
                        help="say which version is deployed")
    sub = parser.add_subparsers(dest="command")

    def with_db(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--db", metavar="PATH_OR_URL",
                       help="SQLite file or postgresql:// URL (overrides DATABASE_PATH and DATABASE_URL)")
        return p

    run = with_db(sub.add_parser("run", help="start every adapter whose token is set (the console if none)"))
    run.add_argument("--webhook-url", help="Telegram: receive updates by webhook at this public URL")
    run.add_argument("--listen", help="Telegram webhook: address to listen on")
    run.add_argument("--port", type=int, help="Telegram webhook: port to listen on")
    run.add_argument("--interactions-port", type=int,
                     help="Discord: serve the HTTP interactions endpoint (POST /interactions) on this port "
                          "(needs DISCORD_PUBLIC_KEY)")

    console = with_db(sub.add_parser("console", help="the bot in this terminal"))
    console.add_argument("--user", default="you", help="your name in the chat (default: you)")
    console.add_argument("--admin", action="store_true", help="be an admin of this chat")
    console.add_argument("--chat", default="main", help="chat id; each chat has its own discussion")
    console.add_argument("--lang", help="zh or en: the language you read (default: from LANG, else English)")

    imp = with_db(sub.add_parser("import", help="import an article (a .txt, .md or .html file, or a link) and "
                                                "print its outline"))
    imp.add_argument("path", help="a file, or an http(s) link to a page")
    imp.add_argument("--slug", help="short name (default: from the file name)")
    imp.add_argument("--show", action="store_true",
                     help="print the whole parsed article (every heading and its text) and store nothing")

    exp = with_db(sub.add_parser("export", help="write a chat's discussion as json, csv or md"))
    exp.add_argument("--chat", default="console:main", help="chat key, like telegram:-1001 (default console:main)")
    exp.add_argument("--format", choices=FORMATS, default="md")
    exp.add_argument("--output", "-o", help="file to write (default: standard output)")
    add_db_parser(sub)
    add_telegram_parser(sub)
    return parser


def load_settings(db: str | None) -> Settings:
    settings = Settings()
    if db:
        if is_postgres(db):
            settings = settings.model_copy(update={"database_url": SecretStr(db)})
        else:
            settings = settings.model_copy(update={"database_path": db, "database_url": None})
    return settings


def secrets_of(settings: Settings) -> list[str]:
    found = [s.get_secret_value() for s in (settings.telegram_bot_token, settings.discord_bot_token,
                                           settings.telegram_webhook_secret) if s is not None]
    if settings.database_url is not None:
        found += url_password_forms(settings.database_url.get_secret_value())
    return found


def postgres_errors(target: str) -> tuple[type[Exception], ...]:
    """What failing to reach PostgreSQL raises; nothing to import for a SQLite file."""
    if not is_postgres(target):
        return ()
    import psycopg

    from storage.postgres.database import PoolTimeout

    return psycopg.Error, PoolTimeout


class StoreUnavailable(Exception):
    """The database could not be opened; the words are fit to show (no password in them)."""


async def open_store(settings: Settings, *, seed: bool = True) -> AnyStore:
    target = settings.database
    unavailable: tuple[type[Exception], ...] = (OSError, sqlite3.Error, *postgres_errors(target))
    try:
        store = await storage_open(target, synchronous=settings.sqlite_synchronous,
                                   pool_size=settings.database_pool_size)
    except unavailable as err:
        raise StoreUnavailable(f"Cannot open the database {redact(target)}: {plain_error(err, target)}") from None
    if seed and not await store.list_articles():
        parsed = parse_article(DEMO_PATH.read_bytes(), filename=DEMO_PATH.name)
        await store.save_article(DEMO_SLUG, parsed, time.time())
    return store


def make_pages(settings: Settings) -> PageFetcher:
    return PageFetcher(max_bytes=settings.import_max_bytes, timeout_seconds=settings.import_timeout_seconds,
                       allow_private=settings.import_allow_private)


def make_core(store: AnyStore, settings: Settings, pages: PageFetcher | None = None) -> Core:
    defaults = ChatConfig(edit_window=settings.edit_window_minutes, report_threshold=settings.report_threshold)
    return Core(store, owners=frozenset(settings.bot_owners), defaults=defaults,
                admin_cache_seconds=settings.admin_cache_seconds, import_max_bytes=settings.import_max_bytes,
                pages=pages, feeds=FeedFetcher(pages) if pages is not None else None,
                feed_poll_seconds=settings.feed_poll_seconds, web_base_url=settings.web_address)


def console_language(flag: str | None) -> str | None:
    """--lang, else the terminal's locale (LC_ALL, LC_MESSAGES, LANG, as gettext reads them)."""
    if flag:
        return normalize(flag)
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if os.environ.get(name):
            return normalize(os.environ[name].split(".")[0])
    return None


async def cmd_console(args: argparse.Namespace, settings: Settings) -> int:
    from adapters.console import ConsolePlatform, ConsoleSession, run_console

    language = console_language(args.lang)
    if args.lang and language is None:
        print(f"--lang takes zh or en, not {args.lang!r}.", file=sys.stderr)
        return 2
    store = await open_store(settings)
    pages = make_pages(settings)
    web = None
    try:
        if settings.web_port is not None:  # the console's discussion on the web too: a local demo of /web
            from adapters.webpage.server import WebPageServer

            web = WebPageServer(store, listen=settings.web_listen, port=settings.web_port)
            await web.start()
        name = args.user.strip() or "you"
        session = ConsoleSession(
            core=make_core(store, settings, pages),
            user=User(f"console:{name.casefold()}", name, language=language),
            chat=Chat(f"console:{args.chat}", private=False, title=args.chat),
            platform=ConsolePlatform(admin=args.admin),
            export_dir=Path.cwd(),
        )
        interactive = sys.stdin.isatty()
        if interactive:
            try:
                import readline  # noqa: F401  (line editing and history for input())
            except ImportError:
                pass
        await run_console(session, sys.stdin, interactive)
    finally:
        if web is not None:
            await web.stop()
        await pages.close()
        await store.close()
    return 0


async def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.article import slugify
    from bot.commands.transfer import LINK, PAGE_SUFFIX, slug_from_link

    source = args.path if LINK.fullmatch(args.path) else None
    try:
        if source is not None:
            pages = make_pages(settings)
            try:
                page = await pages.fetch_page(source)
            finally:
                await pages.close()
            if page.kind not in PAGE_SUFFIX:
                raise BotError("That page could not be read as an article.")
            data, filename, stem = page.text.encode(), f"page{PAGE_SUFFIX[page.kind]}", slug_from_link(page.url)
        else:
            path = Path(args.path)
            try:
                data = await asyncio.to_thread(path.read_bytes)
            except OSError as err:
                print(f"Cannot read {path}: {err.strerror or err}", file=sys.stderr)
                return 2
            filename, stem = path.name, path.stem
        most = settings.import_max_bytes if source is None else max(settings.import_max_bytes, len(data))
        parsed = await asyncio.to_thread(parse_article, data, filename=filename, max_bytes=most)
    except BotError as err:
        print(f"Not imported: {err}", file=sys.stderr)
        return 2
    slug = slugify(args.slug or stem or parsed.title)
    if args.show:
        print(shown_article(parsed, slug, source))
        return 0
    store = await open_store(settings, seed=False)
    try:
        saved = await store.save_article(slug, parsed, time.time())
    finally:
        await store.close()
    print(f"{'Imported' if saved.created else 'Updated'} “{parsed.title}” as {slug}")
    if parsed.byline:
        print(f"By {parsed.byline}")
    print(f"Intro: {len(parsed.intro)} paragraph{'s' if len(parsed.intro) != 1 else ''}")
    print("Sections:")
    for i, section in enumerate(parsed.sections, start=1):
        n = len(section.paragraphs)
        print(f"  {i}. {section.heading}  [{section.key}, {n} paragraph{'s' if n != 1 else ''}]")
    if saved.orphaned:
        print("Comments kept on sections no longer in the article: " + ", ".join(saved.orphaned))
    return 0


def shown_article(parsed: ParsedArticle, slug: str, source: str | None) -> str:
    """What an import produced, all of it, for a person to check before a chat reads it."""
    lines = [f"Title: {parsed.title}", f"Slug: {slug}"]
    if parsed.byline:
        lines.append(f"By: {parsed.byline}")
    if source:
        lines.append(f"Source: {source}")
    lines += ["", f"Intro ({len(parsed.intro)} paragraph{'s' if len(parsed.intro) != 1 else ''}):"]
    lines += [f"  {p}" for p in parsed.intro] or ["  (none)"]
    for i, section in enumerate(parsed.sections, start=1):
        lines += ["", f"{i}. {section.heading}  [{section.key}]"]
        lines += [f"  {p}" for p in section.paragraphs]
    return "\n".join(lines)


async def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    store = await open_store(settings)
    try:
        article_id = await store.chat_article(args.chat)
        articles = await store.list_articles()
        article = await store.get_article(article_id if article_id is not None else articles[-1].id)
        assert article is not None
        name, content, _ = await export_chat(store, args.chat, article, args.format)
    finally:
        await store.close()
    if args.output:
        await asyncio.to_thread(Path(args.output).write_bytes, content)
        print(f"Wrote {args.output} ({len(content):,} bytes)", file=sys.stderr)
    else:
        sys.stdout.buffer.write(content)
    return 0


async def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    if settings.telegram_bot_token is None and settings.discord_bot_token is None:
        print("No TELEGRAM_BOT_TOKEN or DISCORD_BOT_TOKEN is set (environment or .env), so here is the console "
              "instead. Set a token to connect to Telegram or Discord.", file=sys.stderr)
        console_args = argparse.Namespace(user="you", admin=True, chat="main", lang=None)
        return await cmd_console(console_args, settings)
    from adapters.runner import run_adapters

    store = await open_store(settings)
    pages = make_pages(settings)
    try:
        await run_adapters(make_core(store, settings, pages), settings, store, webhook_url=args.webhook_url,
                           listen=args.listen, port=args.port)
    finally:
        await pages.close()
        await store.close()
    return 0


COMMANDS = {"run": cmd_run, "console": cmd_console, "import": cmd_import, "export": cmd_export}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = args.command or "run"
    if args.command is None:
        args = build_parser().parse_args(["run", *(argv or [])])
    try:
        settings = load_settings(getattr(args, "db", None))
        if getattr(args, "interactions_port", None) is not None:
            settings = Settings.model_validate({**settings.model_dump(),
                                                "discord_interactions_port": args.interactions_port})
    except Exception as err:  # pydantic's message names the setting; it never echoes secret values
        print(f"Configuration error: {err}", file=sys.stderr)
        return 2
    logs.configure(os.environ.get("LOG_LEVEL", settings.log_level), secrets_of(settings),
                   json_lines=settings.log_format == "json")
    if command == "telegram":
        return run_telegram(args, settings)
    if command == "db":
        if args.db_command == "copy":
            return run_copy(args.source, args.target, args.batch)
        return run_migrate(settings.database)
    try:
        return asyncio.run(COMMANDS[command](args, settings))
    except KeyboardInterrupt:
        return 130
    except Exception as err:
        # through logging, whose handler redacts secrets, never Python's own traceback printer
        if isinstance(err, StoreUnavailable):
            print(err, file=sys.stderr)
        elif isinstance(err, AdapterStartError | AdaptersGaveUp):
            log.error("%s", err)
        else:
            log.exception("articlebot stopped on an unexpected error")
        return 1


if __name__ == "__main__":
    sys.exit(main())
