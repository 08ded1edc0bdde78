"""Shared pieces of the benchmark suite: result rows, options, percentiles, machine facts, paths."""

from __future__ import annotations

import contextlib
import math
import os
import platform
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable


@dataclass(frozen=True)
class Options:
    quick: bool = False
    keep_work: bool = False  # keep temporary databases and logs under bench/results/work


@dataclass
class Row:
    """One line of the table. `value` is the number (None when not measured), `shown` how it is printed."""

    benchmark: str
    metric: str
    value: float | None
    shown: str
    target: str = "-"
    met: bool | None = None

    def as_json(self) -> dict[str, Any]:
        return {"benchmark": self.benchmark, "metric": self.metric, "value": self.value, "shown": self.shown,
                "target": self.target, "met": self.met}


@dataclass
class Result:
    rows: list[Row] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def add(self, row: Row) -> None:
        self.rows.append(row)


def percentile(samples: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sample."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def fmt(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def work_dir(name: str) -> Path:
    """A fresh scratch directory under bench/results/work (same disk as the project)."""
    path = RESULTS / "work" / f"{name}-{os.getpid()}-{time.monotonic_ns()}"
    path.mkdir(parents=True, exist_ok=False)
    return path


def remove_tree(path: Path) -> None:
    if not path.exists():
        return
    for child in sorted(path.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):
            child.rmdir() if child.is_dir() else child.unlink()
    with contextlib.suppress(OSError):
        path.rmdir()


@contextlib.contextmanager
def scratch(name: str, opts: Options) -> Iterator[Path]:
    path = work_dir(name)
    try:
        yield path
    finally:
        if not opts.keep_work:
            remove_tree(path)


def child_env(**extra: str) -> dict[str, str]:
    """The environment for project subprocesses: no platform tokens or database path from the caller."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "DISCORD_", "DATABASE_", "LANG", "LC_"))}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _ram_bytes() -> int | None:
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    return None


def _filesystem(path: Path) -> str:
    """The mount (device and type) holding `path`, from /proc/mounts: which disk the databases sit on."""
    best = ("", "unknown", "unknown")
    with contextlib.suppress(OSError):
        for line in Path("/proc/mounts").read_text().splitlines():
            parts = line.split()
            if len(parts) >= 3 and str(path).startswith(parts[1]) and len(parts[1]) >= len(best[0]):
                best = (parts[1], parts[0], parts[2])
    return f"{best[1]} ({best[2]}) on {best[0] or '?'}"


def package_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def machine_info() -> dict[str, Any]:
    ram = _ram_bytes()
    return {
        "cpu_model": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_bytes": ram,
        "ram_gib": round(ram / 2**30, 1) if ram else None,
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "sqlite": sqlite3.sqlite_version,
        "python_telegram_bot": package_version("python-telegram-bot"),
        "discord_py": package_version("discord.py"),
        "aiosqlite": package_version("aiosqlite"),
        "kernel": platform.release(),
        "filesystem": _filesystem(RESULTS),
        "pythondontwritebytecode": bool(os.environ.get("PYTHONDONTWRITEBYTECODE")),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def kill_quietly(proc: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    """Ends a child we started (by its own handle, never by name)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
