"""Bot API updates in the shapes Telegram documents and others publish (tests/corpus/telegram/, each file
naming its source; written for this project in those shapes, not copied). Each goes through the fake Bot
API to the real adapter: nothing escapes, nothing is stored under a made-up chat, and the bot answers a
command after every one."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from bot.records import Status
from tests.telegram_harness import GROUP, telegram_rig, texts
from tests.test_discord_reliability import captured

CORPUS = Path(__file__).parent / "corpus" / "telegram"
FILES = sorted(CORPUS.glob("*.json"))
ANN = 101


def test_every_corpus_file_names_its_source() -> None:
    assert len(FILES) >= 15
    for path in FILES:
        item = json.loads(path.read_text())
        assert item["_source"].strip() and isinstance(item["update"], dict), path.name


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
async def test_corpus_update_through_the_adapter(tmp_path: Path, path: Path) -> None:
    update = json.loads(path.read_text())["update"]
    async with telegram_rig(tmp_path) as rig:
        with captured(logging.WARNING) as logs:
            await rig.push(update)
            assert "Cost of Living" in texts(await rig.say(ANN, "/sections"))
        article = (await rig.store.list_articles())[-1]
        for made_up in ("telegram:0", "telegram:None", "telegram:"):
            assert await rig.store.comments(made_up, article.id, None, tuple(Status), None, 10) == []
        loud = [r for r in logs.records if r.name.startswith("articlebot") and r.exc_info is not None]
        assert loud == [], [r.getMessage() for r in loud]
        stored = await rig.store.comments(f"telegram:{GROUP}", article.id, None, tuple(Status), None, 10)
        assert all(c.author_key != "telegram:555" for c in stored)  # other bots never comment
