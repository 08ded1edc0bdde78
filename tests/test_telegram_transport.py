"""The aiohttp network layer under python-telegram-bot: what it sends, and how failures reach PTB."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from telegram import InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from adapters.telegram.transport import AiohttpRequest

SEEN: list[dict[str, Any]] = []


async def record(request: web.Request) -> web.Response:
    entry: dict[str, Any] = {"content_type": request.content_type, "agent": request.headers.get("User-Agent", "")}
    if request.content_type == "application/json":
        entry["json"] = await request.json()
    else:
        form = await request.post()
        entry["form"] = {k: (v.filename, v.file.read()) if hasattr(v, "filename") else v for k, v in form.items()}
    SEEN.append(entry)
    return web.json_response({"ok": True, "result": {"message_id": 5}})


async def slow(request: web.Request) -> web.Response:
    await asyncio.sleep(2)
    return web.json_response({"ok": True, "result": True})


@pytest.fixture
async def server() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_post("/record", record)
    app.router.add_post("/slow", slow)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    SEEN.clear()
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


def data(**params: Any) -> RequestData:
    return RequestData([RequestParameter.from_input(k, v) for k, v in params.items()])


async def test_parameters_travel_as_one_json_document(server: str) -> None:
    request = AiohttpRequest()
    await request.initialize()
    try:
        keyboard = {"inline_keyboard": [[{"text": "a", "callback_data": "s:1:"}]]}
        status, body = await request.do_request(f"{server}/record", "POST", data(
            chat_id=-100, text="<b>hé</b> & 😀", reply_markup=keyboard))
    finally:
        await request.shutdown()
    assert status == 200 and json.loads(body)["result"]["message_id"] == 5
    assert SEEN[0]["content_type"] == "application/json" and "python-telegram-bot" in SEEN[0]["agent"]
    assert SEEN[0]["json"] == {"chat_id": -100, "text": "<b>hé</b> & 😀",
                               "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "s:1:"}]]}}


async def test_files_travel_as_multipart_with_their_fields(server: str) -> None:
    request = AiohttpRequest()
    await request.initialize()
    try:
        await request.do_request(f"{server}/record", "POST", data(
            chat_id=7, document=InputFile(b"# export\n", filename="chat.md")))
    finally:
        await request.shutdown()
    form = SEEN[0]["form"]
    assert SEEN[0]["content_type"] == "multipart/form-data" and form["chat_id"] == "7"
    assert any(part == ("chat.md", b"# export\n") for part in form.values() if isinstance(part, tuple))


async def test_a_slow_answer_is_timed_out_and_a_closed_port_is_a_network_error(server: str) -> None:
    request = AiohttpRequest(read_timeout=0.3, connect_timeout=1)
    await request.initialize()
    try:
        with pytest.raises(TimedOut):
            await request.do_request(f"{server}/slow", "POST", data(x=1))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            closed = s.getsockname()[1]  # bound, never listening: connections are refused
            with pytest.raises(NetworkError) as refused:
                await request.do_request(f"http://127.0.0.1:{closed}/x", "POST", data(x=1))
        assert not isinstance(refused.value, TimedOut)
    finally:
        await request.shutdown()


async def test_it_refuses_to_send_before_initialize_and_after_shutdown(server: str) -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError):
        await request.do_request(f"{server}/record", "POST", data(x=1))
    await request.initialize()
    await request.shutdown()
    with pytest.raises(RuntimeError):
        await request.do_request(f"{server}/record", "POST", data(x=1))
    assert SEEN == []
