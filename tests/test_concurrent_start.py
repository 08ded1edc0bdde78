"""Several processes on one database at once, on each store: exactly one applies the schema of a fresh
database and all of them work; comments written by all of them at once are numbered 1..N without a gap.
Processes, not threads: the races are between separate connections in separate programs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import table_rows

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = 6
COMMENTS_EACH = 15


def start_consoles(db: str, cwd: Path) -> list[subprocess.Popen[str]]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "DISCORD_", "DATABASE_", "LANG", "LC_"))}
    env["PYTHONPATH"] = str(ROOT)
    procs = [subprocess.Popen([sys.executable, "-m", "articlebot", "console", "--db", db, "--user", f"u{i}"],
                              cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for i in range(PROCESSES)]
    return procs


def finish(procs: list[subprocess.Popen[str]], script: list[str]) -> list[str]:
    outputs = []
    for proc, text in zip(procs, script, strict=True):
        out, err = proc.communicate(text, timeout=120)
        assert proc.returncode == 0, err
        assert "Traceback" not in err and "already exists" not in err, err
        outputs.append(out)
    return outputs


@pytest.mark.parametrize("round_", range(3))
def test_six_consoles_started_at_once_on_a_fresh_database_all_work(
        database: Path | str, tmp_path: Path, round_: int) -> None:
    procs = start_consoles(str(database), tmp_path)
    outputs = finish(procs, [f"/comment hello from {i}\n" for i in range(PROCESSES)])
    numbers = sorted(int(m) for out in outputs for m in re.findall(r"#(\d+)", out)[:1])
    assert numbers == list(range(1, PROCESSES + 1))
    assert table_rows(database, "SELECT count(*) FROM comments") == [(PROCESSES,)]
    assert table_rows(database, "SELECT count(*) FROM articles") == [(1,)]


def test_consoles_commenting_in_one_chat_at_once_number_every_comment_once(
        database: Path | str, tmp_path: Path) -> None:
    procs = start_consoles(str(database), tmp_path)
    script = ["".join(f"/comment {i}-{n}\n" for n in range(COMMENTS_EACH)) for i in range(PROCESSES)]
    finish(procs, script)
    rows = table_rows(database, "SELECT number, text FROM comments ORDER BY number")
    assert [r[0] for r in rows] == list(range(1, PROCESSES * COMMENTS_EACH + 1))
    assert sorted(str(r[1]) for r in rows) == sorted(f"{i}-{n}" for i in range(PROCESSES)
                                                     for n in range(COMMENTS_EACH))
