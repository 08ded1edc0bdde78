"""The core knows no platform and no store: bot/ never imports telegram, discord, the adapters, the storage
package, a database driver or the wiring in articlebot/."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = (
    "telegram", "discord", "adapters", "aiohttp", "httpx",  # platforms
    "storage", "sqlite3", "aiosqlite", "psycopg", "psycopg_pool", "asyncpg",  # stores
    "articlebot", "pydantic_settings",  # the wiring and its settings
)


def imported_names(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("__import__", "import_module"):
            names += [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    return names


def test_no_platform_or_store_import_anywhere_in_bot_source() -> None:
    offenders = []
    files = sorted((ROOT / "bot").rglob("*.py"))
    assert len(files) > 10
    for path in files:
        for name in imported_names(path):
            if name.split(".")[0] in FORBIDDEN:
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_guard_sees_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text("import os\nfrom telegram.ext import Application\nimport discord as d\n"
                      "from storage.sqlite import SqliteStore\nimport articlebot.settings\n")
    assert [n for n in imported_names(sample) if n.split(".")[0] in FORBIDDEN] == [
        "telegram.ext", "discord", "storage.sqlite", "articlebot.settings"]


def test_importing_the_whole_core_loads_no_platform_or_store_library() -> None:
    code = (
        "import importlib, pkgutil, sys, bot\n"
        "for m in pkgutil.walk_packages(bot.__path__, 'bot.'):\n"
        "    importlib.import_module(m.name)\n"
        f"bad = sorted(n for n in sys.modules if n.split('.')[0] in {FORBIDDEN!r})\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
