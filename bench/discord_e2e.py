"""`discord`: not measured yet.

The Discord end-to-end benchmark needs the fake Discord (REST + gateway) as its own process, the way the
Telegram one runs `python -m tests.fakes.telegram_server`. Until tests/fakes/discord_server.py has a runnable
`main()` (and a control API to dispatch events and count answers), this reports "not yet measured".
"""

from __future__ import annotations

import ast

from bench.common import ROOT, Options, Result, Row

NAME = "discord"
FAKE = ROOT / "tests" / "fakes" / "discord_server.py"


def fake_has_main() -> bool:
    """Whether the fake defines `main` and runs it under `if __name__ == "__main__"` (read, not imported)."""
    if not FAKE.exists():
        return False
    tree = ast.parse(FAKE.read_text(encoding="utf-8"))
    defines = any(isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == "main" for n in tree.body)
    guarded = any(isinstance(n, ast.If) and "__main__" in ast.unparse(n.test) for n in tree.body)
    return defines and guarded


def run(opts: Options) -> Result:
    if fake_has_main():
        why = "the fake Discord now has a main(); the benchmark itself is still to be written"
    else:
        why = "tests/fakes/discord_server.py has no runnable main()"
    return Result(rows=[Row(NAME, "articlebot vs bare discord.py events/s", None, "not yet measured")],
                  details={"status": f"not yet measured: {why}"})
