"""At least 10,000 generated hostile messages through the real Discord adapter and the fake Discord.

Each message is a comment, half as a `/comment text` slash command and half as a `!comment text` channel
message, so both ways text reaches the core are fuzzed. For each: no exception escapes (nothing is logged
at WARNING or above), every message the bot sends is within Discord's limits and allows no mention, and
the stored comment equals what was typed, or the input was refused with a clear answer and nothing stored.

Real Discord caps a slash option at 6,000 characters and a message at 4,000, and its JSON never carries a
lone surrogate; the fake carries anything, so those inputs test the core's own limits through the adapter:
over 16,000 characters or broken Unicode is refused with a clear message, never stored and never an error.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Iterator
from itertools import count
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.discord_harness import GUILD, PLAIN, World, discord_world, message_bodies, replies_to
from tests.fakes.discord_rest import Call
from tests.fuzz_inputs import MESSAGE, Collect, LoopThread, expected_outcome

BATCH = 50
EXAMPLES = 200
REFUSALS = ("Write your comment", "the limit is", "broken characters")
AUTHORS = (PLAIN, 5002, 5003)
MESSAGE_LIMIT, CUSTOM_ID_LIMIT, LABEL_LIMIT = 2000, 100, 80
NO_PINGS: dict[str, list[str]] = {"parse": []}
# a mention Discord would render: `<@`, `<@&`, `<#` not preceded by an escaping backslash
LIVE_MENTION = re.compile(r"(?<!\\)(?:\\\\)*<[@#]")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LoopThread, World]]:
    runner = LoopThread()
    manager = discord_world(Path(tmp_path_factory.mktemp("dcfuzz")))
    world = runner.run(manager.__aenter__())
    try:
        yield runner, world
    finally:
        runner.run(manager.__aexit__(None, None, None))
        runner.close()


def unescaped(content: str) -> str:
    """What a reader sees of an answer (markdown escapes and bold markers dropped)."""
    return re.sub(r"\\(.)", r"\1", re.sub(r"(?<!\\)\*\*", "", content))


def check_limits(calls: list[Call]) -> None:
    """Every message body sent: at most 2000 characters, no mention allowed, none rendered live."""
    bad = [c for c in calls if c.status >= 400 or c.status == 0]
    assert not bad, bad[:3]
    for body in message_bodies(calls):
        content = str(body.get("content") or "")
        assert 0 < len(content) <= MESSAGE_LIMIT, len(content)
        assert body.get("allowed_mentions") == NO_PINGS, body.get("allowed_mentions")
        assert not LIVE_MENTION.search(content), content[:200]
        for row in body.get("components") or []:
            for item in row.get("components") or []:
                assert len(item["custom_id"]) <= CUSTOM_ID_LIMIT and len(item["label"]) <= LABEL_LIMIT, item


def answering(kind: str, ident: str) -> Callable[[Call], bool]:
    """Does a call answer the interaction (`ident`: its path part) or reply to the message (its id)?"""
    if kind == "slash":
        return lambda call: ident in call.path
    return lambda call: replies_to(call, ident)


async def deliver(world: World, channel: int, texts: list[str]) -> list[str]:
    """Sends one batch into a fresh channel (even: slash, odd: `!comment`); what was answered to each."""
    fake = world.fake
    await fake.add_channel(channel, f"fuzz-{channel}")
    fake.clear_calls()
    sent: list[tuple[str, str]] = []  # (kind, id)
    for i, text in enumerate(texts):
        author = AUTHORS[i % len(AUTHORS)]
        if i % 2 == 0:
            payload = fake.slash_interaction("comment", [{"name": "text", "value": text}], author, channel,
                                             guild_id=GUILD)
            await fake.dispatch("INTERACTION_CREATE", payload)
            sent.append(("slash", f"/interactions/{payload['id']}/"))
        else:
            payload = fake.message_create(channel, author, "!comment " + text)
            await fake.dispatch("MESSAGE_CREATE", payload)
            sent.append(("text", payload["id"]))
    for kind, ident in sent:
        await fake.wait_for(answering(kind, ident), timeout=60)
    await world.adapter.dispatcher.idle()
    calls = list(fake.calls)
    check_limits(calls)
    answers = []
    for kind, ident in sent:
        mine = [c for c in calls if answering(kind, ident)(c)]
        answers.append("\n".join(unescaped(str(b.get("content") or "")) for b in message_bodies(mine)))
    return answers


def test_ten_thousand_hostile_comments(live: tuple[LoopThread, World]) -> None:
    runner, world = live
    loud = Collect(logging.WARNING)
    logging.getLogger().addHandler(loud)
    channels = count(900_000_000_000_000_000)
    seen = Counter[str]()

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(st.lists(MESSAGE, min_size=BATCH, max_size=BATCH))
    def batch(texts: list[str]) -> None:
        channel = next(channels)
        answers = runner.run(deliver(world, channel, texts))
        stored = Counter[str]()
        for number in range(1, BATCH + 2):
            comment = runner.run(world.store.comment(f"discord:{channel}", number))
            if comment is None:
                break
            stored[comment.text] += 1
        expected = [expected_outcome(t) for t in texts]
        assert stored == Counter(e for e in expected if e is not None)
        for i, (text, want, answer) in enumerate(zip(texts, expected, answers, strict=True)):
            kind = "slash" if i % 2 == 0 else "text"
            if want is None:
                assert any(r in answer for r in REFUSALS), (kind, text[:80], answer[:200])
                seen["refused"] += 1
            else:
                assert "Saved as #" in answer, (kind, text[:80], answer[:200])
            seen[kind] += 1
        seen["messages"] += len(texts)

    try:
        batch()
    finally:
        logging.getLogger().removeHandler(loud)
    assert seen["messages"] >= 10_000
    assert seen["slash"] >= 5_000 and seen["text"] >= 5_000
    assert 0 < seen["refused"] < seen["messages"]
    assert not loud.records, [f"{r.levelname} {r.name}: {r.getMessage()[:200]}" for r in loud.records[:5]]
