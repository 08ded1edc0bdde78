"""At least 10,000 generated hostile messages through the real Telegram adapter and the fake Bot API.

For each: no exception escapes (no error is logged), every message the bot sends is HTML Telegram
accepts and within its limits (the fake refuses anything else with 400), and the stored comment equals
what was typed, or the input was refused with a clear answer and nothing stored.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fakes.telegram_html import check_html
from tests.fuzz_inputs import MESSAGE, Collect, LoopThread, expected_outcome
from tests.telegram_harness import TelegramRig, telegram_rig

BATCH = 50
EXAMPLES = 200
REFUSALS = ("Write your comment", "the limit is", "broken characters")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LoopThread, TelegramRig]]:
    runner = LoopThread()
    manager = telegram_rig(Path(tmp_path_factory.mktemp("tgfuzz")), settings={"admin_cache_seconds": 600})
    rig = runner.run(manager.__aenter__())
    try:
        yield runner, rig
    finally:
        runner.run(manager.__aexit__(None, None, None))
        runner.close()


async def deliver(rig: TelegramRig, chat: int, texts: list[str]) -> dict[int, str]:
    """Pushes one batch; returns what was answered to each message, by message id."""
    since = len(rig.fake.calls)
    ids = []
    for i, text in enumerate(texts):
        update = rig.fake.message_update(chat, 7000 + i % 9, "/comment " + text)
        ids.append((rig.fake.push_update(update), update["message"]["message_id"]))
    for update_id, _ in ids:
        await rig.processed(update_id, 60)
    calls = rig.fake.calls[since:]
    bad = [c for c in calls if c.method != "getUpdates" and c.status != 200]
    assert not bad, [(c.method, c.description) for c in bad]
    answers: dict[int, str] = {}
    for call in calls:
        if call.method == "sendMessage":
            replied = (call.params.get("reply_parameters") or {}).get("message_id")
            if replied is not None:
                answers.setdefault(replied, check_html(call.params["text"]))
    return {message_id: answers.get(message_id, "") for _, message_id in ids}


def test_ten_thousand_hostile_messages(live: tuple[LoopThread, TelegramRig]) -> None:
    runner, rig = live
    errors = Collect(logging.ERROR)
    logging.getLogger().addHandler(errors)
    chats = itertools.count(-2_000_000)
    seen = {"messages": 0, "refused": 0}

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(st.lists(MESSAGE, min_size=BATCH, max_size=BATCH))
    def batch(texts: list[str]) -> None:
        chat = next(chats)
        answers = runner.run(deliver(rig, chat, texts))
        stored: dict[str, Any] = {}
        for n in range(1, BATCH + 1):
            comment = runner.run(rig.store.comment(f"telegram:{chat}", n))
            if comment is None:
                break
            stored[comment.text] = stored.get(comment.text, 0) + 1
        expected = [expected_outcome(t) for t in texts]
        kept = [e for e in expected if e is not None]
        assert sum(stored.values()) == len(kept)
        assert sorted(stored) == sorted(set(kept))
        for text, want, answer in zip(texts, expected, answers.values(), strict=True):
            if want is None:
                assert any(r in answer for r in REFUSALS), (text[:80], answer[:200])
            else:
                assert "Saved as #" in answer, (text[:80], answer[:200])
        seen["messages"] += len(texts)
        seen["refused"] += len(texts) - len(kept)

    try:
        batch()
    finally:
        logging.getLogger().removeHandler(errors)
    assert seen["messages"] >= 10_000
    assert 0 < seen["refused"] < seen["messages"]
    assert not errors.records, [r.getMessage() for r in errors.records[:5]]
