"""Test doubles that implement the core's real contracts, and a harness around a real store (a SQLite file or
a PostgreSQL database)."""

from __future__ import annotations

import itertools
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

import bot
from bot.chat_config import ChatConfig
from bot.core import Core
from bot.importer import parse_article
from bot.ports import Clock, Platform
from bot.types import (
    Attachment,
    ButtonPress,
    Chat,
    Command,
    Event,
    Outcome,
    PlainReply,
    Reply,
    User,
    plain_text,
)
from storage.open import AnyStore, open_store

DEMO = Path(bot.__file__).parent / "demo_article.txt"
DEMO_HEADINGS = [  # the six sections of the bundled demo article, in order
    "Infrastructure and Urban Development",
    "Cost of Living",
    "Technological Integration",
    "Economic Opportunities",
    "Public Safety",
    "Community and Social Bonds",
]
START = 1_750_000_000.0


def table_rows(target: Path | str, sql: str) -> list[tuple[object, ...]]:
    """Rows as another process sees them, on either store (a SQLite path or a PostgreSQL URL)."""
    if isinstance(target, str):
        with psycopg.connect(target) as pg:
            return [tuple(r) for r in pg.execute(sql).fetchall()]
    with sqlite3.connect(f"file:{target}?mode=ro", uri=True) as conn:
        return conn.execute(sql).fetchall()


class FakeClock(Clock):
    def __init__(self, now: float = START) -> None:
        self.t = now

    def now(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@dataclass
class FakePlatform(Platform):
    """Admin status per (chat, user) as a platform would answer it; files by fetch id."""

    admins: set[tuple[str, str]] = field(default_factory=set)
    files: dict[str, bytes] = field(default_factory=dict)
    asked: int = 0

    async def is_chat_admin(self, chat: Chat, user: User) -> bool:
        self.asked += 1
        return (chat.key, user.key) in self.admins

    async def fetch(self, attachment: Attachment) -> bytes:
        return self.files[attachment.fetch_id]


def text_of(outcome: Outcome) -> str:
    return "\n".join(reply_text(r) for r in outcome.replies)


def reply_text(reply: Reply) -> str:
    return "\n".join(plain_text(b) for b in reply.blocks)


def buttons_of(outcome: Outcome) -> list[tuple[str, str]]:
    return [(b.label, b.data) for r in outcome.replies for row in r.buttons for b in row]


class Harness:
    """A core on a real store with the demo article, driven through its neutral API."""

    def __init__(self, store: AnyStore, clock: FakeClock, platform: FakePlatform, owners: frozenset[str]):
        self.store = store
        self.clock = clock
        self.platform = platform
        self.core = Core(store, owners=owners, clock=clock, defaults=ChatConfig(), admin_cache_seconds=0)
        self._ids = itertools.count(1)
        self.last_anchor: dict[str, str] = {}

    @classmethod
    async def open(cls, target: Path | str, owners: frozenset[str] = frozenset({"test:owner"})) -> Harness:
        """On a SQLite file (a path) or a PostgreSQL database (a postgresql:// URL)."""
        store = await open_store(target)
        if not await store.list_articles():
            await store.save_article("demo", parse_article(DEMO.read_bytes(), filename=DEMO.name), START)
        return cls(store, FakeClock(), FakePlatform(), owners)

    async def close(self) -> None:
        await self.store.close()

    def admin(self, user: str, chat: str = "test:group") -> None:
        self.platform.admins.add((chat, f"test:{user}"))

    async def send(self, user: str, text: str, chat: str = "test:group", *, private: bool = False,
                   message_id: str | None = None, target: str | None = None,
                   attachment: Attachment | None = None) -> Outcome:
        if text.startswith("/"):
            name, _, args = text[1:].partition(" ")
            payload: Command | PlainReply = Command(name, args)
        else:
            payload = PlainReply(text, self.last_anchor[chat])
        event = Event(
            user=User(f"test:{user}", user.capitalize()),
            chat=Chat(chat, private=private),
            payload=payload,
            message_id=message_id or f"m{next(self._ids)}",
            target_user=User(f"test:{target}", target.capitalize()) if target else None,
            attachment=attachment,
        )
        return await self._handle(event)

    async def press(self, user: str, data: str, chat: str = "test:group", *, private: bool = False) -> Outcome:
        event = Event(User(f"test:{user}", user.capitalize()), Chat(chat, private=private), ButtonPress(data),
                      message_id=f"p{next(self._ids)}")
        return await self._handle(event)

    async def _handle(self, event: Event) -> Outcome:
        outcome = await self.core.handle(event, self.platform)
        for reply in outcome.replies:
            if reply.anchor is not None:
                message_id = f"bot{next(self._ids)}"
                await self.core.remember_sent(event.chat, message_id, reply.anchor)
                self.last_anchor[event.chat.key] = message_id
        return outcome

    async def say(self, user: str, text: str, chat: str = "test:group", **kw: object) -> str:
        return text_of(await self.send(user, text, chat, **kw))  # type: ignore[arg-type]
