"""A fake Telegram Bot API server that the real python-telegram-bot talks to over HTTP.

Use it in tests::

    async with FakeTelegram() as fake:
        app = (Application.builder().token(fake.token)
               .base_url(f"{fake.url}/bot").base_file_url(f"{fake.url}/file/bot").build())
        fake.push_message(chat_id=-100123, user_id=42, text="/start")
        call = await fake.wait_for(lambda c: c.method == "sendMessage")

or as a process (benchmarks): ``python -m tests.fakes.telegram_server --port 0 --token T`` prints
its URL on one line and serves until killed; ``/_control/...`` lets another process drive it.

What it reproduces from the real Bot API (and what a bot can trip over):
* Requests: POST/GET ``/bot<token>/<method>``, form-encoded, multipart or JSON; method names are
  case-insensitive; answers ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": ...,
  "description": ..., "parameters": {...}}``.
* getUpdates offset semantics: updates are only forgotten once confirmed by a later getUpdates
  with a higher offset, so unconfirmed updates are redelivered after a restart. A second
  concurrent getUpdates ends the first one with 409 Conflict; getUpdates while a webhook is set
  is 409 as well. ``allowed_updates`` is remembered between calls (by default chat_member,
  message_reaction and message_reaction_count updates are not delivered).
* HTML parse mode validation (telegram_html.py), text/caption length limits in UTF-16 units,
  inline keyboard checks, "message is not modified", editing text without reply_markup removing
  the keyboard, replies to missing messages, answering a callback query twice.
* Not reproduced: MarkdownV2 validation, automatic url/mention entities, privacy mode, flood
  limits (use ``fail_next(..., status=429)``), HTTPS-only webhook URLs.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import copy
import itertools
import json
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from types import TracebackType
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakes.telegram_html import TelegramHTMLError, parse_html, strip_text, utf16_len

JSON = dict[str, Any]

BOT_ID = 999
BOT_USERNAME = "articlebot_test_bot"
BOT_FIRST_NAME = "ArticleBot Test"
GROUP_ANONYMOUS_BOT_ID = 1087968824
MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
DOWNLOAD_LIMIT = 20 * 1024 * 1024
UPLOAD_LIMIT = 50 * 1024 * 1024
_DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
        "upload_document", "choose_sticker", "find_location", "record_video_note",
        "upload_video_note",
    }
)  # fmt: skip
# Form fields that are always strings, even when they look like numbers or JSON.
_STRING_FIELDS = frozenset(
    {
        "text", "caption", "data", "callback_query_id", "file_id", "url", "secret_token",
        "parse_mode", "action", "language_code", "query", "title", "description", "name",
        "short_description", "custom_title", "emoji", "inline_message_id", "document",
        "business_connection_id", "message_effect_id", "ip_address",
    }
)  # fmt: skip
_WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active;"
    + " use deleteWebhook to delete the webhook first"
)
_TERMINATED_BY_OTHER_POLL = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are "
    "exactly the same as a content and reply markup of the current content and reply markup of the message"
)


class ApiError(Exception):
    """Raised by a method handler: becomes ``{"ok": false, ...}`` with this status."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def _bad_request(what: str) -> ApiError:
    return ApiError(400, f"Bad Request: {what}")


@dataclass
class UploadedFile:
    field: str
    filename: str
    content: bytes
    content_type: str


@dataclass
class Call:
    """One request the bot made. ``params`` are decoded: JSON-looking form values (reply_markup,
    entities, scope, ...) are Python objects, numbers are ints, "true"/"false" are bools."""

    method: str
    params: JSON
    files: dict[str, UploadedFile] = field(default_factory=dict)
    status: int = 200
    response: JSON = field(default_factory=dict)
    fault: str | None = None  # "fail", "delay" or "reset" when an injected fault hit this call
    at: float = field(default_factory=time.monotonic)

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response.get("ok"))

    @property
    def result(self) -> Any:
        return self.response.get("result")

    @property
    def description(self) -> str | None:
        return self.response.get("description")


@dataclass
class Fault:
    """A planned fault (in ``FakeTelegram._planned``) or one that fired (in ``FakeTelegram.faults``)."""

    kind: str  # "fail" | "delay" | "reset"
    method: str  # Bot API method name, case-insensitive; "*" matches any method
    times: int = 1
    status: int = 500
    retry_after: int | None = None
    description: str | None = None
    seconds: float = 0.0


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    file_name: str | None = None
    mime_type: str | None = None

    def as_document(self) -> JSON:
        doc: JSON = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.file_name:
            doc["file_name"] = self.file_name
        if self.mime_type:
            doc["mime_type"] = self.mime_type
        doc["file_size"] = len(self.content)
        return doc


@dataclass
class SentDocument:
    chat_id: int
    file_name: str | None
    content: bytes
    mime_type: str | None
    caption: str | None
    message: JSON


class _Signal:
    """Wakes every waiter when something changed. Capture ``current`` synchronously together
    with the check of your condition, then ``wait`` on it: no change can be missed."""

    def __init__(self) -> None:
        self.current = asyncio.Event()

    def fire(self) -> None:
        self.current.set()
        self.current = asyncio.Event()

    @staticmethod
    async def wait(event: asyncio.Event, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), seconds)


@dataclass
class _Queued:
    update: JSON
    forced: bool = False  # a simulated duplicate: delivered once whatever the offset


class UpdateQueue:
    """Telegram's update queue: updates stay until a getUpdates offset confirms them."""

    def __init__(self, first_update_id: int = 1) -> None:
        self._ids = itertools.count(first_update_id)
        self.last_id = first_update_id - 1
        self.confirmed_offset = 0
        self.history: dict[int, JSON] = {}
        self._items: list[_Queued] = []

    def new_id(self) -> int:
        self.last_id = next(self._ids)
        return self.last_id

    def push(self, update: JSON) -> int:
        update_id = update["update_id"]
        self.history[update_id] = update
        newest = not self._items or update_id > self._items[-1].update["update_id"]
        queued = not newest and any(q.update["update_id"] == update_id for q in self._items)
        forced = queued or update_id < self.confirmed_offset
        bisect.insort(self._items, _Queued(update, forced), key=lambda q: q.update["update_id"])
        return update_id

    def confirm(self, offset: int) -> None:
        if offset < 0:  # "-N": keep only the last N updates, forget the rest
            keep = self._items[offset:]
            if len(keep) < len(self._items):
                self.confirmed_offset = max(self.confirmed_offset, keep[0].update["update_id"] if keep else 0)
            self._items = keep
        elif offset > 0:
            self.confirmed_offset = max(self.confirmed_offset, offset)
            self._items = [q for q in self._items if q.update["update_id"] >= offset or q.forced]

    def fetch(self, offset: int, limit: int, allowed: Callable[[JSON], bool]) -> list[JSON]:
        batch = [
            q for q in self._items if (q.update["update_id"] >= offset or q.forced) and allowed(q.update)
        ]
        batch = batch[:limit]
        for q in batch:
            if q.forced:
                self._items.remove(q)
        return [copy.deepcopy(q.update) for q in batch]

    def clear(self) -> None:
        if self._items:
            self.confirmed_offset = max(self.confirmed_offset, self._items[-1].update["update_id"] + 1)
        self._items = []

    def pending(self) -> list[JSON]:
        return [copy.deepcopy(q.update) for q in self._items]

    def __len__(self) -> int:
        return len(self._items)


def _decode_param(name: str, raw: str) -> Any:
    if name in _STRING_FIELDS:
        return raw
    if raw[:1] in ("{", "["):
        with contextlib.suppress(ValueError):
            return json.loads(raw)
    if re.fullmatch(r"-?\d+", raw):
        return int(raw)
    if re.fullmatch(r"-?\d+\.\d+", raw):
        return float(raw)
    if raw in ("true", "false"):
        return raw == "true"
    return raw


def _update_type(update: JSON) -> str:
    return next((key for key in update if key != "update_id"), "")


def _bot_command_entities(text: str) -> list[JSON]:
    match = re.match(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,32})?", text)
    if not match:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group())}]


def _without_reply(message: JSON) -> JSON:
    """A message as embedded in reply_to_message: Telegram does not nest replies further."""
    inner = copy.deepcopy(message)
    inner.pop("reply_to_message", None)
    return inner


def _inline_keyboard(markup: Any) -> JSON | None:
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        return markup
    return None


def _check_reply_markup(markup: Any) -> None:
    keyboard = _inline_keyboard(markup)
    if keyboard is None:
        return
    rows = keyboard["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    for button in itertools.chain.from_iterable(rows):
        if not str(button.get("text", "")).strip():
            raise _bad_request("BUTTON_TEXT_INVALID")
        if (
            "callback_data" in button
            and len(str(button["callback_data"]).encode("utf-8")) > CALLBACK_DATA_LIMIT
        ):
            raise _bad_request("BUTTON_DATA_INVALID")
        if set(button) <= {"text"}:
            raise _bad_request("text buttons are unallowed in the inline keyboard")


def _format_text(
    text: Any, parse_mode: Any, entities: Any, *, caption: bool, strict: bool
) -> tuple[str, list[JSON]]:
    """Apply parse_mode and Telegram's trimming/limits; return (text, entities) for the Message."""
    text = "" if text is None else str(text)
    parsed_entities: list[JSON] = list(entities) if isinstance(entities, list) else []
    if isinstance(parse_mode, str) and parse_mode.lower() == "html":
        try:
            text, parsed_entities = parse_html(text, strict=strict)
        except TelegramHTMLError as exc:
            raise _bad_request(f"can't parse entities: {exc.description}") from exc
    text, parsed_entities = strip_text(text, parsed_entities)
    limit = CAPTION_LIMIT if caption else MESSAGE_LIMIT
    if not caption and not text:
        raise _bad_request("message text is empty")
    if utf16_len(text) > limit:
        raise _bad_request("message caption is too long" if caption else "message is too long")
    return text, parsed_entities


class FakeTelegram:
    """The fake Bot API server. See the module docstring."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        strict_html: bool = True,
        first_update_id: int = 1,
        max_poll_seconds: float = 50.0,
    ) -> None:
        self.token = token
        self.host = host
        self.port = port
        self.strict_html = strict_html
        self.max_poll_seconds = max_poll_seconds
        self.bot_user: JSON = {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": BOT_FIRST_NAME,
            "username": BOT_USERNAME,
        }
        self.calls: list[Call] = []
        self.faults: list[Fault] = []
        self.documents: list[SentDocument] = []
        self.deleted: list[JSON] = []
        self.chat_members: dict[int, dict[int, str]] = {}  # chat_id -> user_id -> status
        self.commands: dict[tuple[str, str], list[JSON]] = {}  # (scope JSON, language) -> commands
        self.webhook: JSON = {}
        self.updates = UpdateQueue(first_update_id)
        self._planned: list[Fault] = []
        self._chats: dict[int, JSON] = {}
        self._users: dict[int, JSON] = {}
        self.user_languages: dict[int, str] = {}  # language_code of a user's app (default "en")
        self._messages: dict[tuple[int, int], JSON] = {}
        self._bot_messages: dict[int, list[int]] = {}
        self._message_ids: dict[int, int] = {}
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._callback_queries: dict[str, bool] = {}  # id -> answered
        self._allowed_updates: set[str] | None = None
        self._file_numbers = itertools.count(1)
        self._callback_numbers = itertools.count(1)
        self._poll_generation = 0
        self._calls_changed = _Signal()
        self._updates_changed = _Signal()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._handlers: dict[str, tuple[str, Callable[[JSON, dict[str, UploadedFile]], Awaitable[Any]]]] = {}
        for name, handler in self._method_table().items():
            self._handlers[name.lower()] = (name, handler)

    # ------------------------------------------------------------------ lifecycle

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        app = web.Application(client_max_size=UPLOAD_LIMIT + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)
        app.router.add_post("/_control/push", self._control_push)
        app.router.add_post("/_control/message", self._control_message)
        app.router.add_get("/_control/calls", self._control_calls)
        app.router.add_get("/_control/calls_brief", self._control_calls_brief)
        app.router.add_post("/_control/admins", self._control_admins)
        app.router.add_get("/_control/state", self._control_state)
        self._closing.clear()
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        self._closing.set()
        self._updates_changed.fire()  # long polls return at once
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    # ------------------------------------------------------------------ recorded calls

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def sent_messages(self, chat_id: int | str | None = None) -> list[Call]:
        """Successful sendMessage/editMessageText calls, in order."""
        return [
            c
            for c in self.calls
            if c.method in ("sendMessage", "editMessageText")
            and c.ok
            and (chat_id is None or str(c.params.get("chat_id")) == str(chat_id))
        ]

    def sent_documents(self, chat_id: int | None = None) -> list[SentDocument]:
        return [d for d in self.documents if chat_id is None or d.chat_id == chat_id]

    def clear_calls(self) -> None:
        self.calls.clear()

    async def wait_for(
        self,
        predicate: Callable[[Call], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - the helper's contract is a plain timeout argument
        *,
        since: int = 0,
    ) -> Call:
        """The first recorded call (from index ``since``) matching ``predicate``, waiting up to
        ``timeout`` seconds for it to arrive. Raises TimeoutError."""
        deadline = asyncio.get_running_loop().time() + timeout
        index = since
        while True:
            index = min(index, len(self.calls))
            for call in self.calls[index:]:
                if predicate(call):
                    return call
            index = len(self.calls)
            event = self._calls_changed.current
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                recent = [f"{c.method}:{c.status}" for c in self.calls[-10:]]
                raise TimeoutError(f"no matching Bot API call within {timeout}s; last calls: {recent}")
            await _Signal.wait(event, remaining)

    async def wait_for_count(
        self,
        method: str,
        n: int,
        timeout: float = 5.0,  # noqa: ASYNC109
        *,
        ok_only: bool = False,
    ) -> list[Call]:
        """Wait until ``method`` was called at least ``n`` times (successful ones only if
        ``ok_only``); return those calls."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            found = [c for c in self.calls_of(method) if c.ok or not ok_only]
            if len(found) >= n:
                return found
            event = self._calls_changed.current
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(f"{method} called {len(found)} times, not {n}, within {timeout}s")
            await _Signal.wait(event, remaining)

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        self._calls_changed.fire()

    # ------------------------------------------------------------------ fault injection

    def fail_next(
        self,
        method: str,
        *,
        status: int = 500,
        retry_after: int | None = None,
        times: int = 1,
        description: str | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with an error (429 carries retry_after)."""
        if status == 429 and retry_after is None:
            retry_after = 1
        self._planned.append(Fault("fail", method, times, status, retry_after, description))

    def delay_next(self, method: str, seconds: float, times: int = 1) -> None:
        """Sleep before answering the next ``times`` calls. The call still takes effect (a message
        is still sent), as when Telegram is slow and the client gives up waiting."""
        self._planned.append(Fault("delay", method, times, seconds=seconds))

    def reset_next(self, method: str, times: int = 1) -> None:
        """Drop the connection without any response for the next ``times`` calls (no effect)."""
        self._planned.append(Fault("reset", method, times))

    def _take_fault(self, method: str) -> Fault | None:
        for planned in self._planned:
            if planned.method == "*" or planned.method.lower() == method.lower():
                planned.times -= 1
                if planned.times <= 0:
                    self._planned.remove(planned)
                fired = copy.copy(planned)
                fired.method, fired.times = method, 1
                self.faults.append(fired)
                return fired
        return None

    @staticmethod
    def _fault_response(fault: Fault) -> tuple[int, JSON]:
        description = fault.description
        if description is None:
            if fault.status == 429:
                description = f"Too Many Requests: retry after {fault.retry_after}"
            else:
                with contextlib.suppress(ValueError):
                    description = HTTPStatus(fault.status).phrase
        body: JSON = {"ok": False, "error_code": fault.status, "description": description or "Error"}
        if fault.retry_after is not None:
            body["parameters"] = {"retry_after": fault.retry_after}
        return fault.status, body

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    # ------------------------------------------------------------------ HTTP plumbing

    async def _read_params(self, request: web.Request) -> tuple[JSON, dict[str, UploadedFile]]:
        params: JSON = {k: _decode_param(k, v) for k, v in request.query.items()}
        files: dict[str, UploadedFile] = {}
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                params.update(body)
        elif request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    content = value.file.read()
                    files[key] = UploadedFile(key, value.filename, content, value.content_type)
                else:
                    params[key] = _decode_param(key, str(value))
        return params, files

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        method_raw = request.match_info["method"]
        method, handler = self._handlers.get(method_raw.lower(), (method_raw, None))
        params, files = await self._read_params(request)
        if request.match_info["token"] != self.token:
            body: JSON = {"ok": False, "error_code": 401, "description": "Unauthorized"}
            self._record(Call(method, params, files, 401, body))
            return web.json_response(body, status=401)
        fault = self._take_fault(method)
        if fault is not None and fault.kind == "delay":
            await self._sleep(fault.seconds)
        if fault is not None and fault.kind == "reset":
            self._record(Call(method, params, files, 0, {}, fault="reset"))
            if request.transport is not None:
                request.transport.close()
            return web.Response()
        if fault is not None and fault.kind == "fail":
            status, body = self._fault_response(fault)
        elif handler is None:
            status, body = 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
        else:
            try:
                status, body = 200, {"ok": True, "result": await handler(params, files)}
            except ApiError as exc:
                status = exc.status
                body = {"ok": False, "error_code": exc.status, "description": exc.description}
                if exc.parameters:
                    body["parameters"] = exc.parameters
        self._record(Call(method, params, files, status, body, fault.kind if fault else None))
        return web.json_response(body, status=status)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        stored = self._files_by_path.get(request.match_info["file_path"])
        if request.match_info["token"] != self.token or stored is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.Response(body=stored.content, content_type="application/octet-stream")

    # ------------------------------------------------------------------ chats, users, messages

    def set_admins(self, chat_id: int, admins: Mapping[int, str] | Iterable[int]) -> None:
        """Set who getChatMember reports as "creator"/"administrator" (others: "member").
        A plain iterable of user ids means "administrator". Include BOT_ID to make the bot admin."""
        if isinstance(admins, Mapping):
            self.chat_members[chat_id] = {int(k): str(v) for k, v in admins.items()}
        else:
            self.chat_members[chat_id] = {int(user_id): "administrator" for user_id in admins}

    def _user(self, user_id: int) -> JSON:
        if user_id == BOT_ID:
            return dict(self.bot_user)
        return dict(
            self._users.get(user_id) or {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        )

    def _chat(self, chat_id: Any) -> JSON:
        if isinstance(chat_id, str) and not re.fullmatch(r"-?\d+", chat_id):
            found = next((c for c in self._chats.values() if f"@{c.get('username')}" == chat_id), None)
            if found is None:
                raise _bad_request("chat not found")
            return dict(found)
        if chat_id is None or chat_id == "":
            raise _bad_request("chat_id is empty")
        chat_id = int(chat_id)
        if chat_id in self._chats:
            return dict(self._chats[chat_id])
        if chat_id > 0:
            user = self._user(chat_id)
            chat = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
            if "username" in user:
                chat["username"] = user["username"]
            return chat
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        return {"id": chat_id, "type": kind, "title": f"Test group {-chat_id}"}

    def _next_message_id(self, chat_id: int) -> int:
        self._message_ids[chat_id] = self._message_ids.get(chat_id, 0) + 1
        return self._message_ids[chat_id]

    def _remember_message(self, message: JSON) -> None:
        chat = message.get("chat") or {}
        if "id" not in chat or "message_id" not in message:
            return
        self._chats.setdefault(chat["id"], chat)
        user = message.get("from")
        if user and user.get("id") not in (None, BOT_ID, GROUP_ANONYMOUS_BOT_ID):
            self._users[user["id"]] = user
        self._message_ids[chat["id"]] = max(self._message_ids.get(chat["id"], 0), message["message_id"])
        self._messages.setdefault((chat["id"], message["message_id"]), copy.deepcopy(message))

    def _remember_update(self, update: JSON) -> None:
        for key in ("message", "edited_message", "channel_post", "edited_channel_post"):
            if isinstance(update.get(key), dict):
                self._remember_message(update[key])
        query = update.get("callback_query")
        if isinstance(query, dict):
            self._callback_queries.setdefault(str(query.get("id")), False)
            if query.get("from"):
                self._users.setdefault(query["from"]["id"], query["from"])
            if isinstance(query.get("message"), dict):
                self._remember_message(query["message"])

    def last_sent(self, chat_id: int) -> JSON:
        """The latest message the bot sent to ``chat_id`` (and still exists), as returned to it."""
        for message_id in reversed(self._bot_messages.get(chat_id, [])):
            if (chat_id, message_id) in self._messages:
                return copy.deepcopy(self._messages[(chat_id, message_id)])
        raise LookupError(f"the bot has sent no message to chat {chat_id}")

    def message(self, chat_id: int, message_id: int) -> JSON | None:
        """The current state of a known message (after edits), or None."""
        found = self._messages.get((chat_id, message_id))
        return copy.deepcopy(found) if found else None

    def _find_message(self, params: JSON, missing: str) -> JSON:
        chat = self._chat(params.get("chat_id"))
        message = self._messages.get((chat["id"], int(params.get("message_id") or 0)))
        if message is None:
            raise _bad_request(missing)
        return message

    def _topic_root(self, chat: JSON, thread_id: int) -> JSON:
        # In forum topics Telegram makes every non-reply message a reply to the topic's service message.
        return {
            "message_id": thread_id,
            "date": int(time.time()),
            "chat": chat,
            "message_thread_id": thread_id,
            "is_topic_message": True,
            "forum_topic_created": {"name": f"Topic {thread_id}", "icon_color": 7322096},
        }

    # ------------------------------------------------------------------ update builders

    def _sender(self, user_id: int, first_name: str | None, username: str | None) -> JSON:
        known = self._users.get(user_id, {})
        user: JSON = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name or known.get("first_name") or f"User{user_id}",
        }
        if username or known.get("username"):
            user["username"] = username or known["username"]
        user["language_code"] = self.user_languages.get(user_id, "en")
        return user

    def message_update(
        self,
        chat_id: int,
        user_id: int,
        text: str | None,
        *,
        chat_type: str = "supergroup",
        first_name: str | None = None,
        username: str | None = None,
        message_id: int | None = None,
        reply_to: JSON | None = None,
        thread_id: int | None = None,
        is_topic_message: bool = False,
        sender_chat: JSON | bool | None = None,
        document: JSON | None = None,
        chat_title: str | None = None,
    ) -> JSON:
        """An update with a message from a user, as Telegram would send it (not yet pushed).

        Text starting with "/" gets a bot_command entity. ``sender_chat=True`` makes it an
        anonymous admin message (sender_chat = the group, from = GroupAnonymousBot). With
        ``is_topic_message`` and no ``reply_to``, the message is a reply to the topic's root
        service message, exactly like Telegram does in forum topics. With ``document`` the text
        becomes the caption.
        """
        user = self._sender(user_id, first_name, username)
        chat: JSON
        if chat_type == "private":
            chat = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
            if "username" in user:
                chat["username"] = user["username"]
        else:
            title = chat_title or self._chats.get(chat_id, {}).get("title") or f"Test group {abs(chat_id)}"
            chat = {"id": chat_id, "type": chat_type, "title": title}
            if is_topic_message:
                chat["is_forum"] = True
        message: JSON = {"message_id": message_id or self._next_message_id(chat_id)}
        if sender_chat:
            message["from"] = {
                "id": GROUP_ANONYMOUS_BOT_ID,
                "is_bot": True,
                "first_name": "Group",
                "username": "GroupAnonymousBot",
            }
            message["sender_chat"] = chat if sender_chat is True else sender_chat
        else:
            message["from"] = user
        message["chat"] = chat
        message["date"] = int(time.time())
        if thread_id is not None:
            message["message_thread_id"] = thread_id
            if is_topic_message:
                message["is_topic_message"] = True
        if reply_to is not None:
            message["reply_to_message"] = _without_reply(reply_to)
        elif thread_id is not None and is_topic_message:
            message["reply_to_message"] = self._topic_root(chat, thread_id)
        text_key, entities_key = ("caption", "caption_entities") if document else ("text", "entities")
        if document:
            message["document"] = document
        if text is not None:
            message[text_key] = text
            if entities := _bot_command_entities(text):
                message[entities_key] = entities
        return {"message": message}

    def callback_update(
        self,
        chat_id: int,
        user_id: int,
        data: str,
        message: JSON | None = None,
        *,
        first_name: str | None = None,
        username: str | None = None,
    ) -> JSON:
        """A button press on ``message`` (default: the last message the bot sent to the chat)."""
        user = self._sender(user_id, first_name, username)
        query = {
            "id": str(4_000_000_000_000_000_000 + next(self._callback_numbers)),
            "from": user,
            "message": copy.deepcopy(message if message is not None else self.last_sent(chat_id)),
            "chat_instance": str(-(abs(chat_id) * 7919 % 10**18) - 1),
            "data": data,
        }
        return {"callback_query": query}

    def register_file(
        self,
        content: bytes,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        folder: str = "documents",
    ) -> StoredFile:
        """Make ``content`` available through getFile and the file download URL."""
        number = next(self._file_numbers)
        suffix = f".{file_name.rsplit('.', 1)[1]}" if file_name and "." in file_name else ""
        stored = StoredFile(
            file_id=f"BQACAgIAAxkBAAIC{number:06d}FakeFileId{number:04d}",
            file_unique_id=f"AgADFake{number:06d}",
            file_path=f"{folder}/file_{number}{suffix}",
            content=bytes(content),
            file_name=file_name,
            mime_type=mime_type,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def document_message_update(
        self,
        chat_id: int,
        user_id: int,
        file_name: str,
        content: bytes,
        mime_type: str = "application/octet-stream",
        *,
        caption: str | None = None,
        **kwargs: Any,
    ) -> JSON:
        """A user message carrying a document; its content is served via getFile + download."""
        stored = self.register_file(content, file_name=file_name, mime_type=mime_type)
        return self.message_update(chat_id, user_id, caption, document=stored.as_document(), **kwargs)

    # ------------------------------------------------------------------ updates queue

    def push_update(self, update: JSON) -> int:
        """Enqueue an update for getUpdates under a fresh update_id; returns the id."""
        update = {**copy.deepcopy(update), "update_id": self.updates.new_id()}
        return self._enqueue(update)

    def push_raw(self, update: JSON) -> int:
        """Enqueue an update with its own update_id. An id that is already queued or confirmed
        is delivered as a duplicate, once, whatever the bot's offset (as Telegram sometimes does)."""
        update = copy.deepcopy(update)
        self.updates.last_id = max(self.updates.last_id, update["update_id"])
        return self._enqueue(update)

    def redeliver(self, update_id: int) -> int:
        """Deliver an update that was pushed before once more (same update_id)."""
        return self.push_raw(self.updates.history[update_id])

    def push_message(self, chat_id: int, user_id: int, text: str | None, **kwargs: Any) -> JSON:
        """Build a message update, push it, and return the message dict."""
        update = self.message_update(chat_id, user_id, text, **kwargs)
        self.push_update(update)
        return update["message"]

    def push_callback(
        self, chat_id: int, user_id: int, data: str, message: JSON | None = None, **kwargs: Any
    ) -> JSON:
        update = self.callback_update(chat_id, user_id, data, message, **kwargs)
        self.push_update(update)
        return update["callback_query"]

    def _enqueue(self, update: JSON) -> int:
        self._remember_update(update)
        update_id = self.updates.push(update)
        self._updates_changed.fire()
        return update_id

    @property
    def confirmed_offset(self) -> int:
        return self.updates.confirmed_offset

    def pending_updates(self) -> list[JSON]:
        return self.updates.pending()

    async def wait_confirmed(self, update_id: int, seconds: float = 5.0) -> None:
        """Wait until the bot confirmed ``update_id`` (a getUpdates with a higher offset)."""
        deadline = asyncio.get_running_loop().time() + seconds
        while self.confirmed_offset <= update_id:
            event = self._updates_changed.current
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(f"update {update_id} not confirmed within {seconds}s")
            await _Signal.wait(event, remaining)

    def _allowed(self, update: JSON) -> bool:
        kind = _update_type(update)
        if self._allowed_updates is None:
            return kind not in _DEFAULT_EXCLUDED_UPDATES
        return kind in self._allowed_updates

    # ------------------------------------------------------------------ webhook delivery

    async def post_webhook(self, url: str, update: JSON, secret_token: str | None = None) -> int:
        """POST an update to the bot's webhook like Telegram does; returns the HTTP status."""
        update = copy.deepcopy(update)
        if "update_id" not in update:
            update["update_id"] = self.updates.new_id()
        self._remember_update(update)
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret_token} if secret_token else {}
        async with (
            aiohttp.ClientSession() as session,
            session.post(url, json=update, headers=headers) as resp,
        ):
            await resp.read()
            return resp.status

    # ------------------------------------------------------------------ Bot API methods

    def _method_table(self) -> dict[str, Callable[[JSON, dict[str, UploadedFile]], Awaitable[Any]]]:
        return {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendDocument": self._send_document,
            "getFile": self._get_file,
            "getChatMember": self._get_chat_member,
            "getChatAdministrators": self._get_chat_administrators,
            "getChat": self._get_chat,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendChatAction": self._send_chat_action,
            "close": self._true,
            "logOut": self._true,
        }

    async def _true(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        return True

    async def _get_me(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: JSON, files: dict[str, UploadedFile]) -> list[JSON]:
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = min(max(float(params.get("timeout") or 0), 0.0), self.max_poll_seconds)
        if isinstance(params.get("allowed_updates"), list):
            self._allowed_updates = set(params["allowed_updates"]) or None
        self.updates.confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_changed.fire()  # an older long poll still waiting gets its 409
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self.webhook.get("url"):
                raise ApiError(409, _WEBHOOK_ACTIVE)
            if generation != self._poll_generation:
                raise ApiError(409, _TERMINATED_BY_OTHER_POLL)
            batch = self.updates.fetch(offset, limit, self._allowed)
            remaining = deadline - loop.time()
            if batch or remaining <= 0 or self._closing.is_set():
                return batch
            event = self._updates_changed.current
            await _Signal.wait(event, remaining)

    async def _set_webhook(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        if not params.get("url"):
            return await self._delete_webhook(params, files)
        if params.get("drop_pending_updates"):
            self.updates.clear()
        self.webhook = {k: v for k, v in params.items() if k != "drop_pending_updates"}
        if isinstance(params.get("allowed_updates"), list):
            self._allowed_updates = set(params["allowed_updates"]) or None
        self._updates_changed.fire()
        return True

    async def _delete_webhook(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        if params.get("drop_pending_updates"):
            self.updates.clear()
        self.webhook = {}
        return True

    async def _get_webhook_info(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        info: JSON = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }
        if self.webhook.get("url"):
            info["max_connections"] = int(self.webhook.get("max_connections") or 40)
            info["ip_address"] = "127.0.0.1"
            if self._allowed_updates is not None:
                info["allowed_updates"] = sorted(self._allowed_updates)
        return info

    def _new_bot_message(self, chat: JSON, params: JSON) -> JSON:
        message: JSON = {
            "message_id": self._next_message_id(chat["id"]),
            "from": dict(self.bot_user),
            "chat": chat,
            "date": int(time.time()),
        }
        reply = params.get("reply_parameters")
        if not isinstance(reply, dict) and params.get("reply_to_message_id"):
            reply = {
                "message_id": params["reply_to_message_id"],
                "allow_sending_without_reply": params.get("allow_sending_without_reply", False),
            }
        target = None
        if isinstance(reply, dict):
            target_chat = self._chat(reply.get("chat_id", chat["id"]))
            target = self._messages.get((target_chat["id"], int(reply.get("message_id") or 0)))
            if target is None and not reply.get("allow_sending_without_reply"):
                raise _bad_request("message to be replied not found")
        thread_id = params.get("message_thread_id")
        if thread_id is None and target is not None and target.get("is_topic_message"):
            thread_id = target.get("message_thread_id")
        if thread_id is not None:
            message["message_thread_id"] = int(thread_id)
            message["is_topic_message"] = True
        if target is not None:
            message["reply_to_message"] = _without_reply(target)
        elif thread_id is not None:
            message["reply_to_message"] = self._topic_root(chat, int(thread_id))
        return message

    def _formatted(self, params: JSON, *, caption: bool = False) -> tuple[str, list[JSON]]:
        text_key, entities_key = ("caption", "caption_entities") if caption else ("text", "entities")
        return _format_text(
            params.get(text_key),
            params.get("parse_mode"),
            params.get(entities_key),
            caption=caption,
            strict=self.strict_html,
        )

    def _store_bot_message(self, message: JSON) -> JSON:
        chat_id = message["chat"]["id"]
        self._messages[(chat_id, message["message_id"])] = message
        self._bot_messages.setdefault(chat_id, []).append(message["message_id"])
        return copy.deepcopy(message)

    async def _send_message(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        chat = self._chat(params.get("chat_id"))
        if chat["type"] == "private" and chat["id"] not in self._chats:
            # Telegram lets a bot write to a person only after they opened a private chat with it
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        text, entities = self._formatted(params)
        _check_reply_markup(params.get("reply_markup"))
        message = self._new_bot_message(chat, params)
        message["text"] = text
        if entities:
            message["entities"] = entities
        if keyboard := _inline_keyboard(params.get("reply_markup")):
            message["reply_markup"] = keyboard
        return self._store_bot_message(message)

    def _editable(self, params: JSON) -> JSON:
        message = self._find_message(params, "message to edit not found")
        if message.get("from", {}).get("id") != BOT_ID:
            raise _bad_request("message can't be edited")
        return message

    async def _edit_message_text(self, params: JSON, files: dict[str, UploadedFile]) -> JSON | bool:
        if params.get("inline_message_id"):
            self._formatted(params)
            return True
        message = self._editable(params)
        if "text" not in message:
            raise _bad_request("there is no text in the message to edit")
        text, entities = self._formatted(params)
        _check_reply_markup(params.get("reply_markup"))
        keyboard = _inline_keyboard(params.get("reply_markup"))  # omitted markup removes the keyboard
        if (text, entities, keyboard) == (
            message["text"],
            message.get("entities", []),
            message.get("reply_markup"),
        ):
            raise _bad_request(_NOT_MODIFIED)
        message["text"] = text
        message.pop("entities", None)
        message.pop("reply_markup", None)
        if entities:
            message["entities"] = entities
        if keyboard:
            message["reply_markup"] = keyboard
        message["edit_date"] = int(time.time())
        return copy.deepcopy(message)

    async def _edit_message_reply_markup(self, params: JSON, files: dict[str, UploadedFile]) -> JSON | bool:
        if params.get("inline_message_id"):
            return True
        message = self._editable(params)
        _check_reply_markup(params.get("reply_markup"))
        keyboard = _inline_keyboard(params.get("reply_markup"))
        if keyboard == message.get("reply_markup"):
            raise _bad_request(_NOT_MODIFIED)
        message.pop("reply_markup", None)
        if keyboard:
            message["reply_markup"] = keyboard
        message["edit_date"] = int(time.time())
        return copy.deepcopy(message)

    async def _delete_message(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        message = self._find_message(params, "message to delete not found")
        chat = message["chat"]
        bot_is_admin = self.chat_members.get(chat["id"], {}).get(BOT_ID) in ("creator", "administrator")
        if message.get("from", {}).get("id") != BOT_ID and chat["type"] != "private" and not bot_is_admin:
            raise _bad_request("message can't be deleted")
        self.deleted.append(self._messages.pop((chat["id"], message["message_id"])))
        return True

    async def _answer_callback_query(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if self._callback_queries.get(query_id, True):  # unknown or already answered
            raise _bad_request("query is too old and response timeout expired or query ID is invalid")
        self._callback_queries[query_id] = True
        return True

    async def _send_document(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        chat = self._chat(params.get("chat_id"))
        upload = files.get("document")
        if upload is not None:
            if not upload.content:
                raise _bad_request("file must be non-empty")
            stored = self.register_file(
                upload.content, file_name=upload.filename, mime_type=upload.content_type
            )
        elif isinstance(params.get("document"), str) and params["document"] in self._files:
            stored = self._files[params["document"]]
        else:
            raise _bad_request("wrong file identifier/HTTP URL specified")
        caption, entities = self._formatted(params, caption=True)
        _check_reply_markup(params.get("reply_markup"))
        message = self._new_bot_message(chat, params)
        message["document"] = stored.as_document()
        if caption:
            message["caption"] = caption
        if entities:
            message["caption_entities"] = entities
        if keyboard := _inline_keyboard(params.get("reply_markup")):
            message["reply_markup"] = keyboard
        result = self._store_bot_message(message)
        self.documents.append(
            SentDocument(
                chat["id"], stored.file_name, stored.content, stored.mime_type, caption or None, result
            )
        )
        return result

    async def _get_file(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        stored = self._files.get(str(params.get("file_id", "")))
        if stored is None:
            raise _bad_request("invalid file_id")
        if len(stored.content) > DOWNLOAD_LIMIT:
            raise _bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    def _member(self, chat_id: int, user_id: int) -> JSON:
        status = self.chat_members.get(chat_id, {}).get(user_id, "member")
        member: JSON = {"status": status, "user": self._user(user_id)}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update(
                can_be_edited=False,
                is_anonymous=False,
                can_manage_chat=True,
                can_delete_messages=True,
                can_manage_video_chats=True,
                can_restrict_members=True,
                can_promote_members=False,
                can_change_info=True,
                can_invite_users=True,
                can_post_stories=True,
                can_edit_stories=True,
                can_delete_stories=True,
                can_pin_messages=True,
                can_manage_topics=True,
            )
        elif status == "kicked":
            member["until_date"] = 0
        return member

    async def _get_chat_member(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        chat = self._chat(params.get("chat_id"))
        if not params.get("user_id"):
            raise _bad_request("user_id is empty")
        return self._member(chat["id"], int(params["user_id"]))

    async def _get_chat_administrators(self, params: JSON, files: dict[str, UploadedFile]) -> list[JSON]:
        chat = self._chat(params.get("chat_id"))
        members = self.chat_members.get(chat["id"], {})
        return [
            self._member(chat["id"], user_id)
            for user_id, status in members.items()
            if status in ("creator", "administrator")
        ]

    async def _get_chat(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        chat = self._chat(params.get("chat_id"))
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    @staticmethod
    def _commands_key(params: JSON) -> tuple[str, str]:
        scope = params.get("scope") if isinstance(params.get("scope"), dict) else {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    async def _set_my_commands(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(params)] = commands
        return True

    async def _get_my_commands(self, params: JSON, files: dict[str, UploadedFile]) -> list[JSON]:
        return copy.deepcopy(self.commands.get(self._commands_key(params), []))

    async def _delete_my_commands(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    async def _send_chat_action(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        self._chat(params.get("chat_id"))
        if params.get("action") not in _CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        return True

    # ------------------------------------------------------------------ control API (other processes)

    async def _control_push(self, request: web.Request) -> web.StreamResponse:
        update = await request.json()
        update_id = self.push_raw(update) if "update_id" in update else self.push_update(update)
        return web.json_response({"update_id": update_id})

    async def _control_message(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        update = self.message_update(body.pop("chat_id"), body.pop("user_id"), body.pop("text", None), **body)
        return web.json_response({"update_id": self.push_update(update), "message": update["message"]})

    async def _control_calls(self, request: web.Request) -> web.StreamResponse:
        since = int(request.query.get("since", "0"))
        return web.json_response(
            [
                {
                    "index": i,
                    "method": c.method,
                    "params": c.params,
                    "status": c.status,
                    "response": c.response,
                }
                for i, c in enumerate(self.calls[since:], start=since)
            ]
        )

    async def _control_calls_brief(self, request: web.Request) -> web.StreamResponse:
        """Calls from index ``since`` as [method, ok, at (time.monotonic here), chat_id, replied-to message id
        or null]: cheap enough for a benchmark to poll while thousands of calls pile up."""
        since = int(request.query.get("since", "0"))
        brief = []
        for c in self.calls[since:]:
            reply = c.params.get("reply_parameters")
            reply_to = reply.get("message_id") if isinstance(reply, dict) else c.params.get("reply_to_message_id")
            brief.append([c.method, c.ok, c.at, c.params.get("chat_id"), reply_to])
        return web.json_response({"next": since + len(brief), "calls": brief})

    async def _control_admins(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.set_admins(int(body["chat_id"]), {int(k): v for k, v in body["admins"].items()})
        return web.json_response({"ok": True})

    async def _control_state(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(
            {
                "confirmed_offset": self.confirmed_offset,
                "pending": len(self.updates),
                "last_update_id": self.updates.last_id,
                "calls": len(self.calls),
            }
        )


async def _serve(host: str, port: int, token: str) -> None:
    fake = FakeTelegram(token, host=host, port=port)
    await fake.start()
    print(fake.url, flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await fake.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fake Telegram Bot API server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default="123456:TEST-TOKEN")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.host, args.port, args.token))


if __name__ == "__main__":
    main()
