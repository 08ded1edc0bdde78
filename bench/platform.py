"""What the in-process benchmarks drive the core with: a platform with no admins, a store with the demo article."""

from __future__ import annotations

import time
from pathlib import Path

from articlebot.main import DEMO_PATH, DEMO_SLUG
from bot.importer import parse_article
from bot.types import Attachment, Chat, User
from storage.open import AnyStore, open_store


class BenchPlatform:
    """Nobody is a chat admin; there are no files to fetch."""

    async def is_chat_admin(self, chat: Chat, user: User) -> bool:
        return False

    async def fetch(self, attachment: Attachment) -> bytes:
        raise LookupError(f"no file {attachment.fetch_id} in a benchmark")


async def seeded_store(target: Path | str, synchronous: str = "NORMAL") -> AnyStore:
    """The store at `target` (a SQLite path or a PostgreSQL URL) plus the bundled demo article, as
    `articlebot` does on first start."""
    store = await open_store(target, synchronous=synchronous)
    if not await store.list_articles():
        await store.save_article(DEMO_SLUG, parse_article(DEMO_PATH.read_bytes(), filename=DEMO_PATH.name),
                                 time.time())
    return store
