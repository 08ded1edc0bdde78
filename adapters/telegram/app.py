"""The Telegram adapter: receives updates (long polling or webhook) through a durable inbox and serves them.

python-telegram-bot's own Updater confirms a batch to Telegram before its handlers run, so a crash could
lose an update. Here every update is stored in the inbox before the next getUpdates call confirms it (or
before the webhook answers 200), processed from the inbox, and marked done after its effect. Effects are
idempotent (a comment is unique per chat and message id), so replaying an unfinished update is safe.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import os
import secrets
import time
import weakref
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import BotCommand, BotCommandScopeAllChatAdministrators, BotCommandScopeDefault
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter, BaseRateLimiter, ExtBot

from adapters.base import AdapterStartError
from adapters.faults import fault_point
from adapters.poller import PollerLease
from adapters.telegram.events import JSON, from_update
from adapters.telegram.internals import post_raw
from adapters.telegram.limiter import FleetRateLimiter
from adapters.telegram.limits import COMMAND_DESCRIPTION_LIMIT
from adapters.telegram.platform import TelegramPlatform
from adapters.telegram.send import Sender, retry_seconds
from adapters.telegram.transport import AiohttpRequest
from articlebot.settings import Settings
from bot.commands import REGISTRY
from bot.core import Core
from bot.i18n import LANGUAGES, TELEGRAM_CODES, in_language
from bot.ports import Inbox
from bot.records import Lease
from bot.types import Chat, Reply, Sent

log = logging.getLogger("articlebot.telegram")

PLATFORM = "telegram"
# message_reaction arrives only where the bot is an administrator (Telegram's rule for reaction updates)
ALLOWED_UPDATES = ["message", "callback_query", "message_reaction"]
POLL_TIMEOUT = 25
# a server that answers getUpdates at once with nothing, ignoring `timeout`, would make polling spin (13,000
# requests in 10 s, seen against a Bot API clone): an empty answer that came back before half the timeout
# asked for is followed by this pause
EMPTY_POLL_PAUSE = 1.0
WORKERS = 16
REPLAY_PAGE = 500
PRUNE_EVERY = 60.0
KEEP_DONE = 600.0  # finished updates are kept ten minutes (for a look after an incident), then pruned
DONE_BATCH_SECONDS = 0.02
CLAIM_SECONDS = 10.0  # a worker that dies holding a chat holds it this long (renewed every CLAIM_POLL_SECONDS)
CLAIM_POLL_SECONDS = 0.2  # how often a worker looks for chats other workers received updates for
CLAIM_LIMIT = 64
DRAIN_PAGE = 50
WEBHOOK_LEASE = "telegram-webhook"  # who called setWebhook last, in the poller lease table
WEBHOOK_LEASE_SECONDS = 600.0
GET_UPDATES_READ_TIMEOUT = 10.0  # on top of the long-poll timeout


def rate_limiter(settings: Settings, inbox: Inbox) -> BaseRateLimiter[Any] | None:
    """One process alone keeps Telegram's limits with python-telegram-bot's own limiter; processes sharing a
    PostgreSQL database keep them together, through it."""
    if not settings.telegram_rate_limit:
        return None
    if settings.database_url is None:
        return AIORateLimiter(max_retries=3)
    return FleetRateLimiter(inbox, per_second=settings.telegram_messages_per_second,
                            group_per_minute=settings.telegram_group_messages_per_minute)


def forget(draining: dict[str, asyncio.Task[None]], chat: str, _task: asyncio.Task[None]) -> None:
    draining.pop(chat, None)


def chat_of(update: JSON) -> str:
    """The chat an update belongs to, `telegram:<id>`; `telegram:` for one without a chat."""
    for key, value in update.items():
        if key == "update_id" or not isinstance(value, dict):
            continue
        chat = value.get("chat")
        message = value.get("message")
        if not isinstance(chat, dict) and isinstance(message, dict):
            chat = message.get("chat")
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return f"{PLATFORM}:{chat['id']}"
    return f"{PLATFORM}:"


class TelegramAdapter:
    name = "telegram"

    def __init__(self, core: Core, settings: Settings, inbox: Inbox, *, webhook_url: str | None = None,
                 listen: str | None = None, port: int | None = None, poll_timeout: int = POLL_TIMEOUT,
                 request_timeout: float = 15.0) -> None:
        if settings.telegram_bot_token is None:
            raise ValueError("TELEGRAM_BOT_TOKEN is not set")
        self.core = core
        self.settings = settings
        self.inbox = inbox
        self.webhook_url = webhook_url
        self.listen = listen or settings.telegram_webhook_listen
        self.port = port if port is not None else settings.telegram_webhook_port
        self.poll_timeout = poll_timeout
        token = settings.telegram_bot_token.get_secret_value()
        self.requests = (
            AiohttpRequest(connection_pool_size=WORKERS + 4, read_timeout=request_timeout,
                           write_timeout=request_timeout, connect_timeout=10, pool_timeout=10),
            AiohttpRequest(connection_pool_size=2, read_timeout=GET_UPDATES_READ_TIMEOUT, connect_timeout=10),
        )
        self.bot: ExtBot[None] = ExtBot(
            token,
            base_url=settings.telegram_api_url,
            base_file_url=settings.telegram_file_url,
            request=self.requests[0],
            get_updates_request=self.requests[1],
            rate_limiter=rate_limiter(settings, inbox),
        )
        self.platform = TelegramPlatform(self.bot, settings.import_max_bytes)
        self.sender = Sender(self.bot, core)
        self.queue: asyncio.Queue[tuple[int, JSON]] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._marker: asyncio.Task[None] | None = None
        self._finished: list[int] = []
        self._has_finished = asyncio.Event()
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = weakref.WeakValueDictionary()
        self._closed = asyncio.Event()
        self._claim_wake = asyncio.Event()
        self._drain_slots = asyncio.Semaphore(WORKERS)
        self._runner: web.AppRunner | None = None
        self._secret = (settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret
                        else secrets.token_urlsafe(32))
        self.bound_port: int | None = None
        self._lease = PollerLease(inbox, PLATFORM, "Telegram")

    # ---- lifecycle --------------------------------------------------------------------------------

    async def start(self) -> None:
        try:
            await self._start()
        except BaseException:
            # a failed start closes what it opened: the HTTP sessions, the webhook server, the tasks
            await self.stop()
            raise

    async def _start(self) -> None:
        try:
            await self.bot.initialize()
        except InvalidToken:
            # python-telegram-bot's own message quotes the token: it must not reach any log or traceback
            raise AdapterStartError("Telegram refused TELEGRAM_BOT_TOKEN: check the token from @BotFather.") from None
        log.info("Telegram: signed in as @%s", self.bot.username)
        await self._publish_commands()
        self._tasks = [asyncio.create_task(self._worker(), name=f"telegram-worker-{i}") for i in range(WORKERS)]
        self._marker = asyncio.create_task(self._mark_done(), name="telegram-done-marks")
        if self.webhook_url:
            # any number of webhook workers may share the database: each chat's updates, whoever received
            # them, are handled by the one worker that claims the chat, in order (a dead worker's claim runs out)
            self._tasks.append(asyncio.create_task(self._claim_chats(), name="telegram-claims"))
            await self._start_webhook(self.webhook_url)
        else:
            await self._lease.acquire()
            await self._call_quietly("deleteWebhook", self.bot.delete_webhook())
            self._tasks.append(asyncio.create_task(self._replay_then_receive(), name="telegram-receive"))

    async def _replay_then_receive(self) -> None:
        """Unfinished updates from the last run go first, in order, a page at a time; then new ones."""
        after, replayed = -1, 0
        while page := await self.inbox.inbox_open(PLATFORM, after=after, limit=REPLAY_PAGE):
            for update_id, payload in page:
                self.queue.put_nowait((update_id, json.loads(payload)))
            after, replayed = page[-1][0], replayed + len(page)
            await self.queue.join()  # one page in memory at a time, however long the backlog
        if replayed:
            log.info("Telegram: replayed %d updates left unfinished by the last run", replayed)
        if not self.webhook_url:
            await self._poll()

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        if self._marker is not None:
            self._marker.cancel()
            await asyncio.gather(self._marker, return_exceptions=True)
            self._marker = None
            await self._flush_done()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self._lease.release()
        try:
            await self.bot.shutdown()
        except Exception:
            log.debug("Telegram shutdown was not clean", exc_info=True)
        # Bot.shutdown does nothing for a bot whose initialize() failed; the sessions are closed here too
        for request in self.requests:
            await request.shutdown()
        self._closed.set()

    async def wait_closed(self) -> None:
        await self._closed.wait()

    async def announce(self, chat_key: str, reply: Reply) -> Sent | None:
        return await self.sender.announce(Chat(chat_key), reply)

    async def announce_privately(self, user_key: str, reply: Reply) -> Sent | None:
        # a person's private chat with a bot has the person's id (Telegram refuses it until they open it)
        return await self.sender.announce(Chat(user_key, private=True), reply)

    async def edit(self, sent: Sent, reply: Reply) -> bool:
        return await self.sender.edit(sent, reply)

    def start_link(self, user_key: str) -> str | None:
        return f"https://t.me/{self.bot.username}?start=subscribe" if self.bot.username else None

    async def _call_quietly(self, what: str, call: object) -> None:
        try:
            await call  # type: ignore[misc]
        except TelegramError as err:
            log.warning("Telegram %s failed: %s", what, err)

    async def _publish_commands(self) -> None:
        """The command menu in every language: English for everyone, and each other catalog's under the
        language code Telegram's apps report (a Chinese app shows the Chinese menu)."""
        for language in LANGUAGES:
            code = TELEGRAM_CODES.get(language)
            everyone = [BotCommand(s.name, in_language(language, s.summary)[:COMMAND_DESCRIPTION_LIMIT])
                        for s in REGISTRY.all() if not s.admin]
            admins = [BotCommand(s.name, in_language(language, s.summary)[:COMMAND_DESCRIPTION_LIMIT])
                      for s in REGISTRY.all()]
            await self._call_quietly(f"setMyCommands ({language})", self.bot.set_my_commands(
                everyone, scope=BotCommandScopeDefault(), language_code=code))
            await self._call_quietly(f"setMyCommands (admins, {language})", self.bot.set_my_commands(
                admins, scope=BotCommandScopeAllChatAdministrators(), language_code=code))

    # ---- receiving --------------------------------------------------------------------------------

    @staticmethod
    def _parse(raw: list[Any]) -> list[tuple[int, str, JSON]]:
        """Each update as (id, its JSON for the inbox, the update); anything without an update id is
        logged and skipped rather than stopping every update behind it."""
        out = []
        for item in raw:
            update_id = item.get("update_id") if isinstance(item, dict) else None
            if not isinstance(update_id, int) or isinstance(update_id, bool):
                log.warning("skipping a Telegram update without an update_id: %.200r", item)
                continue
            # ASCII-escaped: a text may hold lone surrogates, which SQLite (UTF-8) cannot store raw
            out.append((update_id, json.dumps(item), item))
        return out

    async def _receive(self, updates: list[tuple[int, str, JSON]]) -> None:
        """Durable first, then queued: an update is never confirmed before it is in the inbox."""
        fresh = set(await self.inbox.inbox_add(PLATFORM, [(uid, payload) for uid, payload, _ in updates], time.time(),
                                               [chat_of(update) for _, _, update in updates]))
        fault_point("telegram-after-store")  # stored, not yet confirmed to Telegram nor handled
        if self.webhook_url:
            self._claim_wake.set()  # handled by whichever worker holds the chat (often this one)
            return
        for update_id, _, update in updates:
            if update_id in fresh:  # a second delivery of a stored update is not processed again
                self.queue.put_nowait((update_id, update))

    async def _poll(self) -> None:
        last = await self.inbox.inbox_last_id(PLATFORM)
        offset = None if last is None else last + 1
        failing: str | None = None
        delay = 1.0
        next_prune = time.monotonic() + PRUNE_EVERY
        while True:
            if self._lease.lost.is_set():  # another process polls now: two would take updates from each other
                self._closed.set()
                return
            asked_at = time.monotonic()
            try:
                # getUpdates through PTB's request pipeline, but keeping the raw JSON (see _parse)
                asked = {"offset": offset, "timeout": self.poll_timeout, "allowed_updates": ALLOWED_UPDATES}
                raw = await post_raw(self.bot, "getUpdates", asked,
                                     read_timeout=self.poll_timeout + GET_UPDATES_READ_TIMEOUT)
            except InvalidToken:
                log.error("Telegram no longer accepts TELEGRAM_BOT_TOKEN; stopping the Telegram adapter")
                self._closed.set()
                return
            except RetryAfter as err:
                await asyncio.sleep(retry_seconds(err))
                continue
            except (Conflict, NetworkError, TelegramError) as err:
                if failing != type(err).__name__:  # one line per kind of trouble, not one per retry
                    failing = type(err).__name__
                    log.warning("Telegram getUpdates failed (%s); retrying with backoff", err)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            except Exception:
                log.exception("unexpected error while polling Telegram; retrying")
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            if failing is not None:
                log.info("Telegram getUpdates works again")
                failing, delay = None, 1.0
            if isinstance(raw, list) and raw:
                parsed = self._parse(raw)
                await self._receive(parsed)
                if parsed:  # confirmed by the next call, after the inbox has them
                    offset = max(uid for uid, _, _ in parsed) + 1
            elif time.monotonic() - asked_at < self.poll_timeout / 2:
                await asyncio.sleep(EMPTY_POLL_PAUSE)
            if time.monotonic() > next_prune:
                next_prune = time.monotonic() + PRUNE_EVERY
                await self.inbox.inbox_prune(PLATFORM, time.time() - KEEP_DONE)

    async def _start_webhook(self, url: str) -> None:
        if self.settings.telegram_webhook_secret is None and self.settings.database_url is not None:
            # on a shared database other workers may run, and every one must check the same secret
            raise AdapterStartError("A Telegram webhook on a shared database (DATABASE_URL) needs "
                                    "TELEGRAM_WEBHOOK_SECRET, the same for every worker.")
        path = urlsplit(url).path or "/"
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_post(path, self._on_webhook)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.listen, self.port)
        await site.start()
        self.bound_port = self._runner.addresses[0][1] if self._runner.addresses else self.port
        if await self._first_to_set_webhook():
            await self.bot.set_webhook(url, secret_token=self._secret, allowed_updates=ALLOWED_UPDATES,
                                       max_connections=self.settings.telegram_webhook_max_connections)
        log.info("Telegram: receiving updates by webhook on %s:%s%s", self.listen, self.bound_port, path)

    async def _first_to_set_webhook(self) -> bool:
        """Of several workers starting together, one calls setWebhook (a lease in the database says who and
        until when); the others find it done. After the lease runs out, a worker starting sets it again."""
        now = time.time()
        current = await self.inbox.poller_lease(WEBHOOK_LEASE)
        if current is not None and current.expires_at > now:
            log.info("Telegram: the webhook was set by %s (pid %s) moments ago; not setting it again", current.host,
                     current.pid)
            return False
        mine = Lease(self._lease.holder, self._lease.host, os.getpid(), now + WEBHOOK_LEASE_SECONDS)
        return await self.inbox.claim_poller(WEBHOOK_LEASE, mine, current.holder if current else None)

    async def _on_webhook(self, request: web.Request) -> web.Response:
        if not secrets.compare_digest(request.headers.get("X-Telegram-Bot-Api-Secret-Token", ""), self._secret):
            return web.Response(status=403, text="forbidden")
        try:
            data = await request.json()
        except Exception:
            return web.Response(status=400, text="not an update")
        parsed = self._parse([data])
        if not parsed:
            return web.Response(status=400, text="not an update")
        await self._receive(parsed)
        return web.Response(text="ok")

    # ---- processing -------------------------------------------------------------------------------

    async def _claim_chats(self) -> None:
        """Webhook mode: claims chats with unfinished updates (new ones, or a dead worker's once its claim ran
        out; holding a chat renews its claim) and drains each, one at a time per chat."""
        draining: dict[str, asyncio.Task[None]] = {}
        holder = self._lease.holder
        while True:
            self._claim_wake.clear()
            try:
                chats = await self.inbox.claim_chats(PLATFORM, holder, time.time(), CLAIM_SECONDS, CLAIM_LIMIT)
            except Exception:
                log.exception("could not claim chats with waiting Telegram updates; trying again")
                chats = []
            for chat in chats:
                if chat not in draining:
                    task = asyncio.create_task(self._drain(chat, holder), name=f"telegram-drain-{chat}")
                    draining[chat] = task
                    task.add_done_callback(functools.partial(forget, draining, chat))
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(CLAIM_POLL_SECONDS):
                    await self._claim_wake.wait()

    async def _drain(self, chat: str, holder: str) -> None:
        async with self._drain_slots:
            try:
                while page := await self.inbox.inbox_open_chat(PLATFORM, chat, DRAIN_PAGE):
                    unanswered = []
                    for update_id, payload in page:
                        answered = False
                        try:
                            answered = await self._process(json.loads(payload))
                        except Exception:
                            log.exception("failed to process Telegram update %s", update_id)
                        if answered:
                            await self._mark_now(update_id)
                        else:
                            unanswered.append(update_id)
                    if unanswered:
                        await self.inbox.inbox_done(PLATFORM, unanswered, time.time())
            except Exception:
                log.exception("could not finish the Telegram updates of %s; another pass takes them up", chat)
            finally:
                with contextlib.suppress(Exception):
                    await self.inbox.release_chat(PLATFORM, chat, holder)
                self._claim_wake.set()  # what arrived meanwhile is claimed again at once

    async def _worker(self) -> None:
        while True:
            update_id, update = await self.queue.get()
            answered = False
            try:
                answered = await self._process(update)
            except Exception:
                log.exception("failed to process Telegram update %s", update_id)
            if answered:
                # an answer went out: done now, not in the next batch, so a crash cannot replay the update and
                # send its confirmation twice (its effects are durable already; only the answer could repeat)
                await self._mark_now(update_id)
                fault_point("telegram-after-answer")  # answered and marked done
            else:
                fault_point("telegram-after-effect")  # handled without an answer, not yet marked done
                self._finished.append(update_id)
                self._has_finished.set()
            self.queue.task_done()

    async def _mark_done(self) -> None:
        """Marks finished updates done in batches: one write for many updates instead of one each.

        A crash loses at most the last batch's marks; those updates are replayed, which repeats their
        answers but not their effects (recording a comment is idempotent)."""
        while True:
            await self._has_finished.wait()
            await asyncio.sleep(DONE_BATCH_SECONDS)
            await self._flush_done()

    async def _flush_done(self) -> None:
        ids, self._finished = self._finished, []
        self._has_finished.clear()
        try:
            await self.inbox.inbox_done(PLATFORM, ids, time.time())
        except Exception:
            log.exception("could not mark %d Telegram updates done; they will be replayed", len(ids))

    async def _mark_now(self, update_id: int) -> None:
        try:
            await self.inbox.inbox_done(PLATFORM, [update_id], time.time())
        except Exception:
            log.exception("could not mark Telegram update %s done; it will be replayed", update_id)

    async def _process(self, update: JSON) -> bool:
        """Handles one update; True when an answer was sent."""
        incoming = from_update(update, self.bot.id, self.bot.username)
        if incoming is None:
            return False
        # Each person's messages in a chat are handled in order (open a section, then comment on it);
        # different people, and different chats, are handled in parallel.
        key = (incoming.event.chat.key, incoming.event.user.key)
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        async with lock:
            outcome = await self.core.handle(incoming.event, self.platform)
            await self.sender.deliver(incoming, outcome)
            return bool(outcome.replies or outcome.notice)
