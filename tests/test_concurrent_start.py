"""Several processes opening one fresh database at once: exactly one applies the schema, all of them work.
Processes, not threads: the race is between separate SQLite connections in separate programs."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = 6


def start_consoles(db: str, cwd: Path) -> list[subprocess.Popen[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_", "DATABASE_"))}
    env["PYTHONPATH"] = str(ROOT)
    procs = [subprocess.Popen([sys.executable, "-m", "articlebot", "console", "--db", db, "--user", f"u{i}"],
                              cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for i in range(PROCESSES)]
    return procs


@pytest.mark.parametrize("round_", range(3))
def test_six_consoles_started_at_once_on_a_fresh_file_all_work(tmp_path: Path, round_: int) -> None:
    db = tmp_path / "fresh.db"
    procs = start_consoles(str(db), tmp_path)
    outputs = []
    for i, proc in enumerate(procs):
        out, err = proc.communicate(f"/comment hello from {i}\n", timeout=120)
        assert proc.returncode == 0, err
        assert "Traceback" not in err and "already exists" not in err, err
        outputs.append(out)
    numbers = sorted(int(m) for out in outputs for m in re.findall(r"#(\d+)", out)[:1])
    assert numbers == list(range(1, PROCESSES + 1))
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM comments").fetchone()[0] == PROCESSES
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
