"""Running it in production: `articlebot --version`, logs as JSON lines with secrets redacted, `/healthz` that
is ready only when the store and the platform connection are up, Prometheus `/metrics`, and SIGTERM finishing
what is in flight before exiting 0."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from pathlib import Path

import aiohttp

from adapters.health import HealthServer
from articlebot import logs
from storage.sqlite import SqliteStore
from tests.discord_harness import plain
from tests.fakes.discord_server import FakeDiscord
from tests.pg_cluster import free_port
from tests.telegram_process import BotProcess
from tests.test_discord_process import TOKEN, discord_env, interact
from tests.test_runner_restart import health

ROOT = Path(__file__).resolve().parent.parent


def test_version_says_what_is_deployed() -> None:
    done = subprocess.run([sys.executable, "-m", "articlebot", "--version"], capture_output=True, text=True,
                          cwd=ROOT, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 0 and done.stdout.startswith("articlebot 0.")


def test_json_logs_are_one_object_a_line_and_never_show_a_secret() -> None:
    stream = io.StringIO()
    logs.configure("INFO", ["sekret-token-123"], json_lines=True)
    root = logging.getLogger()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    try:
        logging.getLogger("articlebot.test").warning("token is %s", "sekret-token-123")
        try:
            raise ValueError("boom sekret-token-123")
        except ValueError:
            logging.getLogger("articlebot.test").exception("failed")
    finally:
        logs.configure("INFO", [])
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["message"] for line in lines] == ["token is «redacted»", "failed"]
    assert lines[0]["level"] == "WARNING" and lines[0]["logger"] == "articlebot.test" and lines[0]["time"].endswith("Z")
    assert "ValueError" in lines[1]["traceback"] and "sekret" not in stream.getvalue()


async def test_health_is_not_ready_when_the_store_does_not_answer(tmp_path: Path) -> None:
    store = await SqliteStore.open(tmp_path / "h.db")
    server = HealthServer(lambda: {"telegram": {"state": "serving"}}, listen="127.0.0.1", port=0, store=store)
    await server.start()
    try:
        url = f"http://127.0.0.1:{server.bound_port}"
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{url}/healthz") as response:
                assert response.status == 200 and (await response.json())["store"] == "up"
            await store.close()  # the database is gone
            async with session.get(f"{url}/healthz") as response:
                report = await response.json()
                assert response.status == 503 and report["store"] == "down" and not report["healthy"]
            async with session.get(f"{url}/metrics") as response:
                assert response.status == 200 and "articlebot_updates_handled" in await response.text()
    finally:
        await server.stop()


async def test_a_running_bot_reports_metrics_logs_json_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    async with FakeDiscord(token=TOKEN) as fake:
        port = free_port()
        env = {**discord_env(fake, tmp_path / "d.db"), "HEALTH_PORT": str(port), "LOG_FORMAT": "json"}
        bot = BotProcess(env, tmp_path / "bot.log")
        await bot.start()
        try:
            await fake.wait_ready(timeout=60)
            status, report = await health(port, settle=30)
            assert status == 200 and report["store"] == "up", report
            assert "Cost of Living" in plain(await interact(fake, fake.slash_interaction("sections")))
            async with aiohttp.ClientSession() as session, \
                    session.get(f"http://127.0.0.1:{port}/metrics") as response:
                text = await response.text()
            assert response.headers["Content-Type"].startswith("text/plain")
            assert 'articlebot_updates_handled_total{kind="Command",platform="discord"} 1.0' in text
            assert 'articlebot_answer_seconds_count{platform="discord"} 1.0' in text
            assert 'articlebot_inbox_backlog{platform="telegram"} 0.0' in text
            # SIGTERM while a command is being answered: it is answered, then the process exits 0
            payload = fake.slash_interaction("section", [{"name": "section", "value": "2"}])
            await fake.dispatch("INTERACTION_CREATE", payload)
        finally:
            code = await bot.terminate()
        assert code == 0
        assert any(f"/interactions/{payload['id']}/" in c.path and c.status == 200 for c in fake.calls)
        lines = [json.loads(line) for line in (tmp_path / "bot.log").read_text().splitlines()
                 if line.startswith("{")]
        assert lines and all({"time", "level", "logger", "message"} <= set(line) for line in lines)
        assert TOKEN not in (tmp_path / "bot.log").read_text()


