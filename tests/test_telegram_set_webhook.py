"""`articlebot telegram set-webhook URL`, run as a process against the fake Bot API: registers the URL once
with the shared secret, the allowed updates and TELEGRAM_WEBHOOK_MAX_CONNECTIONS; refuses without a secret;
never prints the token."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from tests.fakes.telegram_server import FakeTelegram
from tests.telegram_process import ROOT, bot_env

TOKEN = "424242:SET-webhook-token-secret"


def set_webhook(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "articlebot", "telegram", "set-webhook", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


async def test_set_webhook_registers_once_with_the_shared_secret(tmp_path: Path) -> None:
    async with FakeTelegram(token=TOKEN) as fake:
        env = bot_env(fake.url, TOKEN, tmp_path / "x.db", TELEGRAM_WEBHOOK_SECRET="shared-secret-123",
                      TELEGRAM_WEBHOOK_MAX_CONNECTIONS="80")
        done = await asyncio.to_thread(set_webhook, env, "https://bots.example.org/tg/hook")
        assert done.returncode == 0, done.stderr
        assert "up to 80 at once" in done.stdout
        assert fake.webhook["url"] == "https://bots.example.org/tg/hook"
        assert fake.webhook["secret_token"] == "shared-secret-123"
        assert fake.webhook["max_connections"] == 80
        assert fake.webhook["allowed_updates"] == ["message", "callback_query", "message_reaction"]
        assert TOKEN not in done.stdout + done.stderr


async def test_set_webhook_refuses_without_a_secret_or_https(tmp_path: Path) -> None:
    async with FakeTelegram(token=TOKEN) as fake:
        env = bot_env(fake.url, TOKEN, tmp_path / "x.db", TELEGRAM_WEBHOOK_SECRET="")
        done = await asyncio.to_thread(set_webhook, env, "https://bots.example.org/tg/hook")
        assert done.returncode == 2 and "TELEGRAM_WEBHOOK_SECRET" in done.stderr
        env["TELEGRAM_WEBHOOK_SECRET"] = "s"
        done = await asyncio.to_thread(set_webhook, env, "http://bots.example.org/tg/hook")
        assert done.returncode == 2 and "https://" in done.stderr
        assert not fake.webhook.get("url")
        wrong = bot_env(fake.url, "1:WRONG-token-value", tmp_path / "x.db", TELEGRAM_WEBHOOK_SECRET="s")
        done = await asyncio.to_thread(set_webhook, wrong, "https://bots.example.org/tg/hook")
        assert done.returncode == 2 and "refused TELEGRAM_BOT_TOKEN" in done.stderr
        assert "WRONG-token-value" not in done.stdout + done.stderr
