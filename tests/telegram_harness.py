"""The real Telegram adapter (python-telegram-bot over HTTP) against the fake Bot API, on a real SQLite file."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from adapters.telegram.app import TelegramAdapter
from articlebot.settings import Settings
from bot.core import Core
from bot.importer import parse_article
from storage.sqlite import SqliteStore
from tests.fakes.telegram_html import check_html
from tests.fakes.telegram_server import Call, FakeTelegram
from tests.support import DEMO

GROUP = -1001
OTHER_GROUP = -1002
OWNER = 42


class TelegramRig:
    def __init__(self, fake: FakeTelegram, store: SqliteStore, adapter: TelegramAdapter, db: Path) -> None:
        self.fake = fake
        self.store = store
        self.adapter = adapter
        self.db = db

    async def processed(self, update_id: int, seconds: float = 10.0) -> None:
        """Waits until the adapter has finished an update (it is marked done in the inbox)."""
        deadline = asyncio.get_running_loop().time() + seconds
        while asyncio.get_running_loop().time() < deadline:
            with sqlite3.connect(self.db) as db:
                row = db.execute("SELECT done_at FROM inbox WHERE platform = 'telegram' AND update_id = ?",
                                 (update_id,)).fetchone()
            if row is not None and row[0] is not None:
                return
            await asyncio.sleep(0.01)
        raise TimeoutError(f"update {update_id} was not processed within {seconds}s")

    async def push(self, update: dict[str, Any]) -> list[Call]:
        """Delivers one update and returns the Bot API calls the bot made while processing it."""
        since = len(self.fake.calls)
        update_id = self.fake.push_update(update)
        await self.processed(update_id)
        return [c for c in self.fake.calls[since:] if c.method != "getUpdates"]

    async def say(self, user: int, text: str, chat: int = GROUP, **kw: Any) -> list[Call]:
        return await self.push(self.fake.message_update(chat, user, text, **kw))

    async def press(self, user: int, data: str, message: dict[str, Any], chat: int = GROUP) -> list[Call]:
        return await self.push(self.fake.callback_update(chat, user, data, message))


def texts(calls: list[Call]) -> str:
    """What people saw: the sent and edited texts, parsed as Telegram parses their HTML."""
    shown = [check_html(c.params["text"]) for c in calls if c.method in ("sendMessage", "editMessageText") and c.ok]
    return "\n".join(shown)


def settings_for(fake: FakeTelegram, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "telegram_bot_token": SecretStr(fake.token),
        "telegram_api_url": f"{fake.url}/bot",
        "telegram_file_url": f"{fake.url}/file/bot",
        "telegram_rate_limit": False,
        "bot_owners": (f"telegram:{OWNER}",),
        "admin_cache_seconds": 0,
    }
    return Settings(**{**values, **extra})


@asynccontextmanager
async def telegram_rig(tmp_path: Path, **adapter_kw: Any) -> AsyncIterator[TelegramRig]:
    db = tmp_path / "tg.db"
    async with FakeTelegram() as fake:
        store = await SqliteStore.open(db)
        if not await store.list_articles():
            await store.save_article("demo", parse_article(DEMO.read_bytes(), filename=DEMO.name), 1.0)
        settings = settings_for(fake, **adapter_kw.pop("settings", {}))
        core = Core(store, owners=frozenset(settings.bot_owners), admin_cache_seconds=settings.admin_cache_seconds,
                    clock=adapter_kw.pop("clock", None))
        adapter = TelegramAdapter(core, settings, store, poll_timeout=1, **adapter_kw)
        await adapter.start()
        try:
            yield TelegramRig(fake, store, adapter, db)
        finally:
            await adapter.stop()
            await store.close()
