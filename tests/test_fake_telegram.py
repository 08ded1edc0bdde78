"""The fake Telegram server is faithful: the real python-telegram-bot talks to it over HTTP."""

from __future__ import annotations

import asyncio
import html
import json
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    ChatMemberAdministrator,
    ChatMemberMember,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
)
from telegram.error import (
    BadRequest,
    EndPointNotFound,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters
from telegram.request import HTTPXRequest

from tests.fakes.telegram_server import BOT_ID, GROUP_ANONYMOUS_BOT_ID, FakeTelegram

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GROUP = -1001234567890
ALICE = 42
BOB = 43


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


def make_bot(fake: FakeTelegram, token: str | None = None, **request_kwargs: Any) -> Bot:
    request = HTTPXRequest(**request_kwargs) if request_kwargs else None
    return Bot(
        token or fake.token,
        base_url=f"{fake.url}/bot",
        base_file_url=f"{fake.url}/file/bot",
        request=request,
    )


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with make_bot(fake) as real_bot:
        yield real_bot


async def start_app(fake: FakeTelegram, *handlers: Any) -> Application:
    app = (
        Application.builder()
        .token(fake.token)
        .base_url(f"{fake.url}/bot")
        .base_file_url(f"{fake.url}/file/bot")
        .build()
    )
    for handler in handlers:
        app.add_handler(handler)
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=2)
    return app


async def stop_app(app: Application) -> None:
    assert app.updater is not None
    await app.updater.stop()
    await app.stop()
    await app.shutdown()


def text_collector() -> tuple[MessageHandler, asyncio.Queue[tuple[int, str]]]:
    received: asyncio.Queue[tuple[int, str]] = asyncio.Queue()

    async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await received.put((update.update_id, update.message.text or ""))

    return MessageHandler(filters.TEXT, on_text), received


async def drain(queue: asyncio.Queue[tuple[int, str]], n: int) -> list[tuple[int, str]]:
    async with asyncio.timeout(5):
        return [await queue.get() for _ in range(n)]


# --------------------------------------------------------------------------- getMe and tokens


async def test_get_me_through_bot_initialize(fake: FakeTelegram) -> None:
    async with make_bot(fake) as bot:
        assert bot.id == BOT_ID
        assert bot.username == "articlebot_test_bot"
        assert bot.bot.is_bot
    assert [c.method for c in fake.calls] == ["getMe"]


async def test_wrong_token_raises_invalid_token(fake: FakeTelegram) -> None:
    with pytest.raises(InvalidToken):
        async with make_bot(fake, token="123456:WRONG"):  # shuts the bot down again on failure
            pass
    assert fake.calls[-1].status == 401
    assert fake.calls[-1].response == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_unknown_method_is_404_endpoint_not_found(bot: Bot, fake: FakeTelegram) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")
    assert fake.calls[-1].response["description"] == "Not Found: method not found"


# --------------------------------------------------------------------------- HTML and limits


async def test_valid_html_is_sent_with_entities(bot: Bot, fake: FakeTelegram) -> None:
    text = (
        '<b>Bold</b> <i>it</i> <a href="https://example.org/?a=1&amp;b=2">link</a> '
        "<code>x &lt; y</code> <tg-spoiler>s</tg-spoiler> <blockquote expandable>q</blockquote>"
    )
    message = await bot.send_message(GROUP, text, parse_mode="HTML")
    assert message.text == "Bold it link x < y s q"
    assert [e.type for e in message.entities] == [
        "bold",
        "italic",
        "text_link",
        "code",
        "spoiler",
        "expandable_blockquote",
    ]
    assert message.entities[2].url == "https://example.org/?a=1&b=2"
    assert message.from_user is not None and message.from_user.id == BOT_ID
    assert fake.sent_messages(GROUP)[0].params["parse_mode"] == "HTML"


@pytest.mark.parametrize("bad", ["<b>x", "a < b", "AT&T", "<script>alert(1)</script>", "<b><i>x</b></i>"])
async def test_invalid_html_is_rejected_and_escaped_html_accepted(
    bot: Bot, fake: FakeTelegram, bad: str
) -> None:
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(GROUP, bad, parse_mode="HTML")
    assert "can't parse entities" in caught.value.message.lower()
    assert fake.calls[-1].status == 400

    message = await bot.send_message(GROUP, html.escape(bad), parse_mode="HTML")
    assert message.text == bad


async def test_length_limit_counts_utf16_code_units(bot: Bot) -> None:
    emoji = "\N{GRINNING FACE}"  # outside the BMP: two UTF-16 code units
    assert (await bot.send_message(GROUP, "a" * 4096)).text == "a" * 4096
    assert (await bot.send_message(GROUP, emoji * 2048)).text == emoji * 2048
    # markup does not count, only the text after entity parsing
    await bot.send_message(GROUP, f"<b>{'a' * 4096}</b>", parse_mode="HTML")
    for too_long in (emoji * 2048 + "a", emoji * 2049, "a" * 4097):
        with pytest.raises(BadRequest, match="(?i)message is too long"):
            await bot.send_message(GROUP, too_long)
    assert len(emoji * 2049) < 4096  # would pass a naive len() check


async def test_text_empty_after_parsing_is_rejected(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="(?i)message text is empty"):
        await bot.send_message(GROUP, "<b>  </b>", parse_mode="HTML")


async def test_callback_data_over_64_bytes_is_rejected(bot: Bot) -> None:
    def keyboard(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("go", callback_data=data)]])

    message = await bot.send_message(GROUP, "ok", reply_markup=keyboard("x" * 64))
    assert message.reply_markup == keyboard("x" * 64)
    for data in ("x" * 65, "\N{LATIN SMALL LETTER E WITH ACUTE}" * 33):  # 65 bytes; 33 chars = 66 bytes
        with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
            await bot.send_message(GROUP, "no", reply_markup=keyboard(data))


# --------------------------------------------------------------------------- messages: replies, edits


async def test_reply_and_thread_are_echoed(bot: Bot, fake: FakeTelegram) -> None:
    user_message = fake.push_message(GROUP, ALICE, "question", thread_id=7, is_topic_message=True)
    reply = await bot.send_message(
        GROUP, "answer", reply_parameters=ReplyParameters(user_message["message_id"]), message_thread_id=7
    )
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.message_id == user_message["message_id"]
    assert reply.message_thread_id == 7
    assert reply.message_id > user_message["message_id"]
    assert fake.last_sent(GROUP)["message_id"] == reply.message_id

    with pytest.raises(BadRequest, match="(?i)message to be replied not found"):
        await bot.send_message(GROUP, "x", reply_parameters=ReplyParameters(99999))


async def test_edit_semantics_match_telegram(bot: Bot, fake: FakeTelegram) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("next", callback_data="n")]])
    sent = await bot.send_message(GROUP, "one", reply_markup=markup)
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_text("one", chat_id=GROUP, message_id=sent.message_id, reply_markup=markup)
    edited = await bot.edit_message_text("two", chat_id=GROUP, message_id=sent.message_id)
    assert isinstance(edited, Message) and edited.text == "two"
    assert edited.reply_markup is None  # editing text without reply_markup drops the keyboard
    assert fake.last_sent(GROUP)["text"] == "two"
    assert [c.method for c in fake.sent_messages(GROUP)] == ["sendMessage", "editMessageText"]

    user_message = fake.push_message(GROUP, ALICE, "hi")
    with pytest.raises(BadRequest, match="(?i)message can't be edited"):
        await bot.edit_message_text("x", chat_id=GROUP, message_id=user_message["message_id"])
    with pytest.raises(BadRequest, match="(?i)message can't be deleted"):
        await bot.delete_message(GROUP, user_message["message_id"])
    fake.set_admins(GROUP, [BOT_ID])
    assert await bot.delete_message(GROUP, user_message["message_id"])


async def test_callback_query_can_be_answered_once(bot: Bot, fake: FakeTelegram) -> None:
    await bot.send_message(
        GROUP, "pick", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data="a")]])
    )
    query = fake.push_callback(GROUP, ALICE, "a")
    assert query["message"]["text"] == "pick"
    assert await bot.answer_callback_query(query["id"], text="ok")
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_callback_query(query["id"])


async def test_commands_are_stored_per_scope_and_language(bot: Bot, fake: FakeTelegram) -> None:
    scope = BotCommandScopeChat(GROUP)
    await bot.set_my_commands([BotCommand("read", "Read the article")], scope=scope, language_code="en")
    assert await bot.get_my_commands() == ()
    assert await bot.get_my_commands(scope=scope, language_code="en") == (
        BotCommand("read", "Read the article"),
    )
    assert fake.calls_of("setMyCommands")[0].params["scope"] == {"type": "chat", "chat_id": GROUP}
    await bot.delete_my_commands(scope=scope, language_code="en")
    assert await bot.get_my_commands(scope=scope, language_code="en") == ()
    with pytest.raises(BadRequest, match="(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Read-Now", "bad name")])


# --------------------------------------------------------------------------- updates and polling


async def test_application_receives_updates_in_order_and_restart_redelivers_only_unconfirmed(
    fake: FakeTelegram,
) -> None:
    ids = [fake.push_update(fake.message_update(GROUP, ALICE, f"msg {i}")) for i in range(3)]
    handler, received = text_collector()
    app = await start_app(fake, handler)
    try:
        assert await drain(received, 3) == [(ids[0], "msg 0"), (ids[1], "msg 1"), (ids[2], "msg 2")]
    finally:
        await stop_app(app)
    assert fake.confirmed_offset == ids[2] + 1  # the Updater confirms on stop
    assert fake.pending_updates() == []

    # Fetched but never confirmed (no later getUpdates with a higher offset): stays pending.
    fourth = fake.push_update(fake.message_update(GROUP, BOB, "msg 3"))
    url = f"{fake.url}/bot{fake.token}/getUpdates"
    async with aiohttp.ClientSession() as session:
        for _ in range(2):  # fetching again with the same offset returns it again
            async with session.post(url, data={"offset": str(fake.confirmed_offset)}) as resp:
                body = await resp.json()
            assert [u["update_id"] for u in body["result"]] == [fourth]
    assert [u["update_id"] for u in fake.pending_updates()] == [fourth]

    handler, received = text_collector()
    app = await start_app(fake, handler)
    try:
        assert await drain(received, 1) == [(fourth, "msg 3")]
        await asyncio.sleep(0.2)
        assert received.empty()  # msg 0..2 were confirmed: not redelivered
    finally:
        await stop_app(app)
    assert fake.confirmed_offset == fourth + 1


async def test_duplicate_delivery_reaches_the_bot_again(fake: FakeTelegram) -> None:
    handler, received = text_collector()
    app = await start_app(fake, handler)
    try:
        first = fake.push_update(fake.message_update(GROUP, ALICE, "once"))
        assert await drain(received, 1) == [(first, "once")]
        await fake.wait_confirmed(first)
        fake.redeliver(first)
        assert await drain(received, 1) == [(first, "once")]
    finally:
        await stop_app(app)


async def test_command_entity_anonymous_admin_and_reply_through_application(fake: FakeTelegram) -> None:
    seen: list[Update] = []

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(update)
        assert update.effective_message is not None
        await update.effective_message.reply_text("welcome")

    app = await start_app(fake, CommandHandler("start", start))
    try:
        message = fake.push_message(GROUP, ALICE, "/start@articlebot_test_bot now")
        assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 26}]
        call = await fake.wait_for(lambda c: c.method == "sendMessage" and c.ok)
        assert call.params["chat_id"] == GROUP and call.result["text"] == "welcome"

        fake.push_message(GROUP, ALICE, "/start", sender_chat=True)
        await fake.wait_for_count("sendMessage", 2, ok_only=True)
    finally:
        await stop_app(app)
    assert seen[1].effective_message is not None
    assert seen[1].effective_message.sender_chat is not None
    assert seen[1].effective_message.sender_chat.id == GROUP
    assert seen[1].effective_user is not None and seen[1].effective_user.id == GROUP_ANONYMOUS_BOT_ID


async def test_long_poll_wakes_on_push_and_stop_is_quick() -> None:
    fake = FakeTelegram()
    await fake.start()
    url = f"{fake.url}/bot{fake.token}/getUpdates"
    async with aiohttp.ClientSession() as session:

        async def poll() -> list[dict[str, Any]]:
            async with session.post(url, data={"timeout": "10"}) as resp:
                return (await resp.json())["result"]

        began = time.monotonic()
        task = asyncio.create_task(poll())
        await asyncio.sleep(0.1)
        update_id = fake.push_update(fake.message_update(GROUP, ALICE, "wake"))
        assert [u["update_id"] for u in await task] == [update_id]
        assert time.monotonic() - began < 1.0

        waiting = asyncio.create_task(session.post(url, data={"offset": str(update_id + 1), "timeout": "30"}))
        await asyncio.sleep(0.1)
        began = time.monotonic()
        await fake.stop()
        assert time.monotonic() - began < 1.5
        async with await waiting as resp:
            assert (await resp.json())["result"] == []


async def test_second_poller_gets_conflict(fake: FakeTelegram) -> None:
    url = f"{fake.url}/bot{fake.token}/getUpdates"
    async with aiohttp.ClientSession() as session:
        first = asyncio.create_task(session.post(url, data={"timeout": "5"}))
        await asyncio.sleep(0.1)
        async with session.post(url, data={"timeout": "0"}) as resp:
            assert resp.status == 200
        async with await first as resp:
            assert resp.status == 409
            assert "terminated by other getUpdates request" in (await resp.json())["description"]


# --------------------------------------------------------------------------- members, files


async def test_get_chat_member_uses_admin_map(bot: Bot, fake: FakeTelegram) -> None:
    fake.set_admins(GROUP, {ALICE: "creator", BOB: "administrator"})
    owner = await bot.get_chat_member(GROUP, ALICE)
    admin = await bot.get_chat_member(GROUP, BOB)
    member = await bot.get_chat_member(GROUP, 77)
    assert isinstance(owner, ChatMemberOwner) and owner.status == "creator"
    assert isinstance(admin, ChatMemberAdministrator) and admin.status == "administrator"
    assert isinstance(member, ChatMemberMember) and member.status == "member"
    assert admin.user.id == BOB


async def test_send_document_stores_uploaded_bytes(bot: Bot, fake: FakeTelegram) -> None:
    content = "Zeile 1\nline two \N{GRINNING FACE}\n".encode()
    message = await bot.send_document(
        GROUP, document=content, filename="article.txt", caption="<b>export</b>", parse_mode="HTML"
    )
    assert message.document is not None and message.document.file_name == "article.txt"
    assert message.caption == "export"
    [sent] = fake.sent_documents(GROUP)
    assert (sent.file_name, sent.content, sent.caption) == ("article.txt", content, "export")
    assert fake.calls_of("sendDocument")[0].files["document"].content == content
    # what the bot uploaded can be downloaded again through getFile, like on Telegram
    again = await (await bot.get_file(message.document.file_id)).download_as_bytearray()
    assert bytes(again) == content


async def test_caption_limit_is_1024_utf16_units(bot: Bot) -> None:
    message = await bot.send_document(GROUP, document=b"x", filename="a.txt", caption="c" * 1024)
    assert message.caption == "c" * 1024
    with pytest.raises(BadRequest, match="(?i)message caption is too long"):
        await bot.send_document(GROUP, document=b"x", filename="a.txt", caption="\N{GRINNING FACE}" * 513)


async def test_get_file_and_download_of_a_user_document(bot: Bot, fake: FakeTelegram) -> None:
    content = b"# Title\n\nSome article text.\n"
    update = fake.document_message_update(
        GROUP, ALICE, "article.md", content, "text/markdown", caption="/import"
    )
    document = update["message"]["document"]
    file = await bot.get_file(document["file_id"])
    assert file.file_path is not None and file.file_path.startswith(f"{fake.url}/file/bot{fake.token}/")
    assert bytes(await file.download_as_bytearray()) == content
    with pytest.raises(BadRequest, match="(?i)invalid file_id"):
        await bot.get_file("nope")


# --------------------------------------------------------------------------- fault injection


@pytest.mark.filterwarnings(
    "ignore::telegram.warnings.PTBDeprecationWarning"
)  # PTB's own RetryAfter.__init__
async def test_fail_next_429_is_retry_after(bot: Bot, fake: FakeTelegram) -> None:
    fake.fail_next("sendMessage", status=429, retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(GROUP, "x")
    assert "retry in 3" in caught.value.message.lower()
    assert fake.calls[-1].response["parameters"] == {"retry_after": 3}
    assert (await bot.send_message(GROUP, "y")).text == "y"  # the fault was used up
    assert [(f.kind, f.method, f.status) for f in fake.faults] == [("fail", "sendMessage", 429)]


async def test_fail_next_500_is_network_error(bot: Bot, fake: FakeTelegram) -> None:
    fake.fail_next("sendMessage", status=500, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError) as caught:
            await bot.send_message(GROUP, "x")
        assert isinstance(caught.value, TelegramError)
        assert caught.value.message == "Internal Server Error"
    assert (await bot.send_message(GROUP, "works")).text == "works"
    assert [c.status for c in fake.calls_of("sendMessage")] == [500, 500, 200]


async def test_reset_next_is_network_error(bot: Bot, fake: FakeTelegram) -> None:
    fake.reset_next("sendMessage")
    with pytest.raises(NetworkError) as caught:
        await bot.send_message(GROUP, "lost")
    assert not isinstance(caught.value, TimedOut)
    assert fake.sent_messages(GROUP) == []  # dropped before it took effect
    assert fake.calls[-1].fault == "reset"
    assert (await bot.send_message(GROUP, "next")).text == "next"


async def test_delay_beyond_read_timeout_is_timed_out(fake: FakeTelegram) -> None:
    async with make_bot(fake, read_timeout=0.2) as bot:
        fake.delay_next("sendMessage", 0.8)
        began = time.monotonic()
        with pytest.raises(TimedOut):
            await bot.send_message(GROUP, "slow")
        assert time.monotonic() - began < 0.7
        # Telegram still executed it: the message exists although the client gave up
        call = await fake.wait_for(lambda c: c.method == "sendMessage", timeout=2)
        assert call.ok and call.fault == "delay"


# --------------------------------------------------------------------------- webhook, process


async def test_post_webhook_delivers_with_secret_header(fake: FakeTelegram) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []

    async def webhook(request: web.Request) -> web.Response:
        received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json()))
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = runner.addresses[0][1]
        status = await fake.post_webhook(
            f"http://127.0.0.1:{port}/hook",
            fake.message_update(GROUP, ALICE, "via hook"),
            secret_token="s3cret",
        )
    finally:
        await runner.cleanup()
    assert status == 200
    [(secret, update)] = received
    assert secret == "s3cret"
    assert update["message"]["text"] == "via hook" and isinstance(update["update_id"], int)


async def test_webhook_set_blocks_get_updates(bot: Bot, fake: FakeTelegram) -> None:
    await bot.set_webhook("http://127.0.0.1:9/hook", secret_token="abc")
    assert (await bot.get_webhook_info()).url == "http://127.0.0.1:9/hook"
    with pytest.raises(TelegramError, match="(?i)webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook()
    assert await bot.get_updates() == ()


async def test_standalone_process_with_control_api() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fakes.telegram_server",
        "--port",
        "0",
        "--token",
        "1:T",
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        async with asyncio.timeout(10):
            url = (await proc.stdout.readline()).decode().strip()
        assert url.startswith("http://127.0.0.1:")
        async with aiohttp.ClientSession() as session:
            async with session.post(f"{url}/_control/push", json={"message": {"message_id": 1}}) as resp:
                update_id = (await resp.json())["update_id"]
            async with session.post(
                f"{url}/_control/admins", json={"chat_id": GROUP, "admins": {"5": "creator"}}
            ):
                pass
            async with session.post(
                f"{url}/bot1:T/getChatMember", data={"chat_id": str(GROUP), "user_id": "5"}
            ) as resp:
                assert (await resp.json())["result"]["status"] == "creator"
            async with session.get(f"{url}/bot1:T/getUpdates") as resp:
                assert [u["update_id"] for u in (await resp.json())["result"]] == [update_id]
            async with session.get(f"{url}/_control/state") as resp:
                assert json.loads(await resp.text())["pending"] == 1
            async with session.get(f"{url}/_control/calls", params={"since": "1"}) as resp:
                assert [c["method"] for c in await resp.json()] == ["getUpdates"]
    finally:
        proc.terminate()
        await proc.wait()
