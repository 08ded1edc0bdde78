"""Hostile message texts for property-based tests of both adapters, and a loop thread to drive them."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from hypothesis import strategies as st

T = TypeVar("T")

PIECES = [
    "<", ">", "&", "&amp;", "&lt;", "<b>", "</b>", "<i>", "<script>", "</a>", '<a href="x">', "*", "**", "_", "__",
    "~~", "`", "```", "||", ">", ">>> ", "#", "# ", "- ", "[x](http://e)", "\\", "@everyone", "@here",
    "<@&4001>", "<@5001>", "<#3001>", "\u202e", "\u200f", "\u200b", "\u200d", "\ufeff", "\x00", "\x07", "\x1b[31m",
    "\r\n", "\n", "\t", "😀", "👨‍👩‍👧", "🇺🇦", "👍🏽", "中文", "日本語", "한국어", "עברית", "العربية", "é", "e\u0301",
    "\udc80", "\ud83d",
]
TOKENS = st.one_of(st.sampled_from(PIECES), st.characters(), st.text(max_size=12))
TEXT = st.lists(TOKENS, max_size=40).map("".join)
HUGE = st.sampled_from([100_000, 16_001, 16_000, 9_999, 4_097]).map(lambda n: ("ab<&😀" * n)[:n])
MESSAGE = st.one_of(TEXT, TEXT, TEXT, HUGE)


def expected_outcome(text: str, max_chars: int = 16_000) -> str | None:
    """The stored text the core keeps for `/comment <text>`, or None when it must refuse."""
    body = text.strip()
    if not body or len(body) > max_chars:
        return None
    try:
        body.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return body


class Collect(logging.Handler):
    """Keeps every log record at `level` or above, to assert that nothing went wrong quietly."""

    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class LoopThread:
    """An event loop in a thread, so that synchronous hypothesis tests can drive one long-lived bot."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 120.0) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()
