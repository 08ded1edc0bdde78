"""Gateway payloads in the shapes others published (Discord's documentation, bots' logged payloads, the
payloads reported in issue 18), each file naming its source in `_source` (tests/corpus/discord/). Written
for this project in those shapes with this test world's ids, not copied. Each goes through the fake gateway
to the real adapter: nothing escapes, nothing is stored under a chat that is not the payload's own, and the
bot answers a slash command after every one."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from tests.discord_harness import ALL_STATUSES, World, discord_world, plain
from tests.test_discord_reliability import captured

CORPUS = Path(__file__).parent / "corpus" / "discord"
FILES = sorted(CORPUS.glob("*.json"))


def test_every_corpus_file_names_its_source() -> None:
    assert len(FILES) >= 10
    for path in FILES:
        item = json.loads(path.read_text())
        assert item["_source"].strip() and item["t"].isupper() and isinstance(item["d"], dict), path.name


async def answers(world: World) -> str:
    return plain(await world.slash("section", [{"name": "section", "value": "2"}]))


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
async def test_corpus_payload_through_the_adapter(tmp_path: Path, path: Path) -> None:
    item = json.loads(path.read_text())
    async with discord_world(tmp_path) as world:
        with captured(logging.WARNING) as logs:
            await world.fake.dispatch(item["t"], item["d"])
            assert "Cost of Living" in await answers(world)
            await world.adapter.dispatcher.idle()
        article = await world.article()
        for made_up in ("discord:0", "discord:None", "discord:"):
            assert await world.store.comments(made_up, article.id, None, ALL_STATUSES, None, 10) == []
        escaped = [r for r in logs.records if r.name == "asyncio" or "Traceback" in r.getMessage()]
        assert escaped == []
