"""Streams comments into the real `articlebot run` while SIGKILLing it at random moments; prints the tally.

    .venv/bin/python scripts/sigkill_stream.py [--comments 2000] [--kills 8] [--seed 1]

The fake Bot API redelivers every update the bot has not confirmed, as Telegram does. Afterwards every
comment must be stored exactly once and every sender must have had a confirmation at least once.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.telegram_html import check_html  # noqa: E402
from tests.fakes.telegram_server import FakeTelegram  # noqa: E402
from tests.telegram_process import BotProcess, bot_env, stored_texts  # noqa: E402

TOKEN = "555:STREAM-TOKEN"
logging.getLogger("aiohttp").setLevel(logging.CRITICAL)  # a killed client resets connections: expected here
CHATS = (-1_000_001, -1_000_002, -1_000_003, -1_000_004)


async def run(comments: int, kills: int, seed: int) -> int:
    rng = random.Random(seed)
    workdir = Path(tempfile.mkdtemp(prefix="sigkill-"))
    db = workdir / "stream.db"
    async with FakeTelegram(token=TOKEN) as fake:
        bot = BotProcess(bot_env(fake.url, TOKEN, db), workdir / "bot.log")
        sent = []
        for i in range(comments):
            chat = CHATS[i % len(CHATS)]
            sent.append((chat, fake.push_message(chat, 10_000 + i % 97, f"/comment stream {i}")))
        started = time.monotonic()
        await bot.start()
        at_kill = []
        for _ in range(kills):
            before = sum(len(stored_texts(db, f"telegram:{c}")) for c in CHATS)
            deadline = time.monotonic() + 60
            while sum(len(stored_texts(db, f"telegram:{c}")) for c in CHATS) <= before:
                if time.monotonic() > deadline:
                    raise SystemExit("the bot made no progress for 60 s")
                await asyncio.sleep(0.02)
            await asyncio.sleep(rng.uniform(0.0, 0.3))
            await bot.kill()
            at_kill.append(sum(len(stored_texts(db, f"telegram:{c}")) for c in CHATS))
            await bot.start()

        def confirmed() -> set[int]:
            return {(c.params.get("reply_parameters") or {}).get("message_id") for c in fake.calls_of("sendMessage")
                    if c.ok and "Saved as" in check_html(c.params["text"])}

        deadline = time.monotonic() + 300
        while (sum(len(stored_texts(db, f"telegram:{c}")) for c in CHATS) < comments
               or len({m["message_id"] for _, m in sent} - confirmed()) > 0):
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.1)
        elapsed = time.monotonic() - started
        await bot.terminate()
    stored = [t for c in CHATS for t in stored_texts(db, f"telegram:{c}")]
    expected = {f"stream {i}" for i in range(comments)}
    lost = len(expected - set(stored))
    doubled = len(stored) - len(set(stored))
    unconfirmed = len({m["message_id"] for _, m in sent} - confirmed())
    mid_stream = sum(1 for n in at_kill if n < comments)
    rows = [("comments streamed", comments), ("SIGKILLs", kills), ("kills mid-stream", mid_stream),
            ("stored", len(stored)), ("lost", lost), ("doubled", doubled),
            ("senders never confirmed", unconfirmed), ("seconds", round(elapsed, 1))]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    return 0 if lost == doubled == unconfirmed == 0 and mid_stream == kills else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=2000)
    parser.add_argument("--kills", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sys.exit(asyncio.run(run(args.comments, args.kills, args.seed)))


if __name__ == "__main__":
    main()
