"""The Telegram adapter against a Bot API server that misbehaves: one that answers getUpdates at once with
nothing (ignoring `timeout`) must not make polling spin, and a start that fails closes what it opened."""

from __future__ import annotations

import asyncio
import gc
import warnings
from pathlib import Path

import pytest
from pydantic import SecretStr

from adapters.base import AdapterStartError
from adapters.telegram.app import TelegramAdapter
from bot.core import Core
from bot.importer import parse_article
from storage.sqlite import SqliteStore
from tests.fakes.telegram_server import FakeTelegram
from tests.support import DEMO
from tests.telegram_harness import GROUP, settings_for


async def demo_store(path: Path) -> SqliteStore:
    store = await SqliteStore.open(path)
    await store.save_article("demo", parse_article(DEMO.read_bytes(), filename=DEMO.name), 1.0)
    return store


async def test_an_impatient_server_does_not_make_polling_spin(tmp_path: Path) -> None:
    async with FakeTelegram(max_poll_seconds=0) as fake:  # every getUpdates answered at once
        store = await demo_store(tmp_path / "tg.db")
        settings = settings_for(fake)
        adapter = TelegramAdapter(Core(store), settings, store, poll_timeout=25)
        await adapter.start()
        try:
            await asyncio.sleep(0.5)
            before = sum(1 for c in fake.calls if c.method == "getUpdates")
            await asyncio.sleep(3.0)
            polls = sum(1 for c in fake.calls if c.method == "getUpdates") - before
            assert 1 <= polls <= 5, polls  # about one a second, not thousands
            asked = fake.push_message(GROUP, 1, "/sections")
            for _ in range(100):  # and it still serves: the pause is short
                if any(c.method == "sendMessage" for c in fake.calls):
                    break
                await asyncio.sleep(0.05)
            assert any(c.method == "sendMessage" and str(c.params.get("chat_id")) == str(GROUP) for c in fake.calls)
            assert asked["message_id"]
        finally:
            await adapter.stop()
            await store.close()


async def test_a_failed_start_leaves_no_session_open(tmp_path: Path) -> None:
    async with FakeTelegram(token="42:RIGHT-token") as fake:
        store = await demo_store(tmp_path / "tg.db")
        settings = settings_for(fake).model_copy(update={"telegram_bot_token": SecretStr("42:WRONG-token")})
        adapter = TelegramAdapter(Core(store), settings, store)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                await adapter.start()
            except AdapterStartError:
                pass
            else:
                pytest.fail("a refused token must fail the start")
            assert not any(r.is_open for r in adapter.requests)
            del adapter
            gc.collect()
            await asyncio.sleep(0)
        await store.close()
        unclosed = [str(w.message) for w in caught if "Unclosed" in str(w.message)]
        assert unclosed == []


async def test_a_start_that_fails_after_signing_in_closes_everything(tmp_path: Path) -> None:
    import socket

    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    try:
        async with FakeTelegram() as fake:
            store = await demo_store(tmp_path / "tg.db")
            adapter = TelegramAdapter(Core(store), settings_for(fake), store, webhook_url="https://example.org/hook",
                                      listen="127.0.0.1", port=busy.getsockname()[1])
            with pytest.raises(OSError):
                await adapter.start()  # signed in, then the webhook server cannot bind its port
            assert not any(r.is_open for r in adapter.requests)
            await store.close()
    finally:
        busy.close()
