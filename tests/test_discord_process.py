"""`articlebot run` as a real process against the fake Discord (REST + gateway on 127.0.0.1)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.discord_harness import EPHEMERAL, GENERAL, MOD, PLAIN, buttons, flags, plain, replies_to
from tests.fakes.discord_server import Call, FakeDiscord
from tests.support import table_rows
from tests.telegram_process import BotProcess, bot_env

TOKEN = "FAKE.DISCORD.TOKEN"


def discord_env(fake: FakeDiscord, db: Path | str) -> dict[str, str]:
    env = bot_env("http://unused", "unused", db)
    for key in [k for k in env if k.startswith("TELEGRAM_")]:
        del env[key]
    env.update(DISCORD_BOT_TOKEN=TOKEN, DISCORD_API_URL=f"{fake.url}/api/v10", DISCORD_GATEWAY_URL=f"{fake.ws_url}/",
               DISCORD_GUILD_IDS="2000", LOG_LEVEL="DEBUG")
    return env


async def interact(fake: FakeDiscord, payload: dict[str, Any]) -> list[Call]:
    mark = len(fake.calls)
    await fake.dispatch("INTERACTION_CREATE", payload)
    await fake.wait_for(lambda c: f"/interactions/{payload['id']}/" in c.path, 30)
    await asyncio.sleep(0.3)  # followups, if any, come right after the response
    token = payload["token"]
    return [c for c in fake.calls[mark:] if f"/{payload['id']}/" in c.path or f"/{token}" in c.path]


async def say(fake: FakeDiscord, content: str, user: int = PLAIN, **kw: Any) -> list[Call]:
    payload = fake.message_create(GENERAL, user, content, **kw)
    mark = len(fake.calls)
    await fake.dispatch("MESSAGE_CREATE", payload)
    await fake.wait_for(lambda c: replies_to(c, payload["id"]), 30)
    return [c for c in fake.calls[mark:] if c.method == "POST" and c.path == f"/channels/{GENERAL}/messages"]


async def anchored(db: Path | str, message_id: int) -> None:
    for _ in range(200):
        if table_rows(db, f"SELECT 1 FROM anchors WHERE message_id = '{int(message_id)}'"):
            return
        await asyncio.sleep(0.05)
    raise TimeoutError(f"message {message_id} was never anchored")


async def test_run_serves_a_guild_conversation(database: Path | str, tmp_path: Path) -> None:
    async with FakeDiscord(token=TOKEN) as fake:
        bot = BotProcess(discord_env(fake, database), tmp_path / "bot.log")
        await bot.start()
        try:
            await fake.wait_for(lambda c: c.method == "PUT" and "/guilds/2000/commands" in c.path, 60)
            await fake.wait_ready(timeout=60)
            await asyncio.sleep(0.5)  # discord.py waits briefly for guilds before it is ready

            assert "Cost of Living" in plain(await interact(fake, fake.slash_interaction("sections")))
            choices = await interact(fake, fake.autocomplete_interaction(
                "section", [{"name": "section", "value": "cost"}], "section", PLAIN, GENERAL))
            assert any("Cost of Living" in str(c.json_body) for c in choices)

            opened = fake.slash_interaction("section", [{"name": "section", "value": "1"}])
            shown = await interact(fake, opened)
            assert "Infrastructure and Urban Development" in plain(shown)
            nxt = next(b["custom_id"] for b in buttons(shown) if "Next" in b.get("label", ""))
            message_id = fake.interaction(opened).original_message_id
            assert message_id is not None
            pressed = await interact(fake, fake.component_interaction(nxt, PLAIN, GENERAL, message_id))
            assert "Cost of Living" in plain(pressed)

            saved = await interact(fake, fake.slash_interaction("comment", [{"name": "text",
                                                                              "value": "@everyone <@&4001> hi"}]))
            assert "Saved as #1" in plain(saved)
            assert all(c.json_body.get("data", c.json_body).get("allowed_mentions") == {"parse": []}
                       for c in saved if isinstance(c.json_body, dict) and c.method == "POST")

            section = await say(fake, "!section 2")
            shown_id = int(section[-1].response["id"])  # the bot's message showing section 2
            await anchored(database, shown_id)  # people reply after the bot noted what it showed
            reply = await say(fake, "cheap rent", referenced_message=shown_id)
            assert "Saved as #2 on §2 Cost of Living" in plain(reply)
            assert "cheap rent" in plain(await interact(fake, fake.slash_interaction("comments")))

            refused = await interact(fake, fake.slash_interaction("remove", [{"name": "comment", "value": "#1"}]))
            assert "Only admins can" in plain(refused) and flags(refused) == [EPHEMERAL]
            removed = await interact(fake, fake.slash_interaction("remove", [{"name": "comment", "value": "#1"}],
                                                                  MOD))
            assert "Removed #1" in plain(removed)
        finally:
            code = await bot.terminate()
        assert code == 0
        log = (tmp_path / "bot.log").read_text()
        assert "Discord: ready in" in log and TOKEN not in log
