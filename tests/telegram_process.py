"""Running the real `articlebot run` process against the fake Bot API (used by tests and bench scripts)."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent


def database_env(db: Path | str) -> dict[str, str]:
    """The settings that put the bot on this database: a SQLite path, or a PostgreSQL URL."""
    return {"DATABASE_URL": db} if isinstance(db, str) else {"DATABASE_PATH": str(db)}


def bot_env(api_url: str, token: str, db: Path | str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "DISCORD_", "DATABASE_", "LANG", "LC_"))}
    env.update({
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_URL": f"{api_url}/bot",
        "TELEGRAM_FILE_URL": f"{api_url}/file/bot",
        "TELEGRAM_RATE_LIMIT": "off",
        **database_env(db),
        "ADMIN_CACHE_SECONDS": "0",
        **extra,
    })
    return env


class BotProcess:
    """`python -m articlebot run` as a child process with its output captured to a file."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        out = self.log.open("ab")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "articlebot", "run", cwd=str(self.log.parent), env=self.env,
            stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=out)
        out.close()

    async def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def terminate(self) -> int:
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.proc.wait(), 20)
        except TimeoutError:
            self.proc.kill()
            return await self.proc.wait()


def stored_texts(db: Path | str, chat_key: str) -> list[str]:
    """Comment texts in the bot's database, read-only ([] before the bot has created it)."""
    if isinstance(db, str):
        try:
            with psycopg.connect(db) as conn:
                return [r[0] for r in conn.execute("SELECT text FROM comments WHERE chat_key = %s ORDER BY number",
                                                   (chat_key,))]
        except psycopg.errors.UndefinedTable:  # the schema is not there yet
            return []
    if not db.exists():
        return []
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as conn:
            return [r[0] for r in conn.execute("SELECT text FROM comments WHERE chat_key = ? ORDER BY number",
                                               (chat_key,))]
    except sqlite3.OperationalError:  # the schema is not there yet
        return []
