"""The command line as a user runs it: `python -m articlebot` subprocesses on a real SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support import DEMO, DEMO_HEADINGS

ROOT = Path(__file__).resolve().parent.parent
HEADINGS = DEMO_HEADINGS


def run(
    args: list[str], cwd: Path, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_", "DATABASE_"))}
    clean["PYTHONPATH"] = str(ROOT)
    clean.update(env or {})
    return subprocess.run([sys.executable, "-m", "articlebot", *args], cwd=cwd, input=stdin, capture_output=True,
                          text=True, timeout=120, env=clean)


def console(tmp_path: Path, lines: list[str], *extra: str) -> str:
    result = run(["console", "--db", str(tmp_path / "c.db"), *extra], tmp_path, "\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_import_prints_the_outline_without_boilerplate(tmp_path: Path) -> None:
    result = run(["import", str(DEMO), "--db", str(tmp_path / "i.db")], tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "The Great Migration of TikTok to RedNote and Its Potential Consequences" in out
    assert "By Joel Wong" in out
    assert [out.index(h) for h in HEADINGS] == sorted(out.index(h) for h in HEADINGS)
    for junk in ("fbpx", "LEAVE YOUR COMMENT", "email address"):
        assert junk not in out


def test_import_refuses_a_non_article_and_stores_nothing(tmp_path: Path) -> None:
    picture = tmp_path / "pic.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    result = run(["import", str(picture), "--db", str(tmp_path / "i.db")], tmp_path)
    assert result.returncode == 2 and "Not imported" in result.stderr
    assert not (tmp_path / "i.db").exists()


def test_piped_console_reads_and_comments_and_survives_restart(tmp_path: Path) -> None:
    hostile = ["<b>&amp;</b>", "*_under_*", "@everyone", "中文评论", "emoji 😀👍🏽", "z" * 5000]
    out = console(tmp_path, ["/sections", "/section 2", *(f"/comment {h}" for h in hostile), "/comments 2"])
    assert all(h in out for h in HEADINGS)
    assert "cost of living in China, particularly for housing" in out
    for text in hostile:
        assert f"  │ {text}\n" in out
    again = console(tmp_path, ["/comments 2"], "--user", "someone-else")
    for text in hostile[:5]:
        assert f"  │ {text}\n" in again
    assert "z" * 5000 in again


def test_moderation_across_two_users_and_two_chats(tmp_path: Path) -> None:
    console(tmp_path, ["/section 1", "/comment hello from ann"], "--user", "ann", "--chat", "a")
    refused = console(tmp_path, ["/remove #1"], "--user", "bob", "--chat", "a")
    assert "Only admins can hide a comment" in refused
    done = console(tmp_path, ["/remove #1 rude", "/modlog", "/ban ann 1h spam", "/filter add bad hold",
                              "/approval on", "/export md"], "--user", "mod", "--admin", "--chat", "a")
    assert "Removed #1" in done and "before: hello from ann" in done
    assert "(saved to" in done and (tmp_path / "demo.md").exists()
    banned = console(tmp_path, ["/comment let me"], "--user", "ann", "--chat", "a")
    assert "You are banned" in banned and "Reason: spam" in banned
    queued = console(tmp_path, ["/comment this is bad", "/comment fine"], "--user", "bob", "--chat", "a")
    assert queued.count("waiting for a moderator") == 2
    other = console(tmp_path, ["/comments", "/comment free here", "/remove #1"], "--user", "ann", "--chat", "b")
    assert "hello from ann" not in other and "Saved as #1" in other and "Only admins" in other
    mod_b = console(tmp_path, ["/pending", "/modlog"], "--user", "mod", "--admin", "--chat", "b")
    assert "this is bad" not in mod_b and "No moderation actions yet" in mod_b


def test_buttons_are_pressed_by_number_and_replies_comment(tmp_path: Path) -> None:
    out = console(tmp_path, ["/section 1", "3", "> replying to section two"])
    assert "== Cost of Living ==" in out
    assert "Saved as #1 on §2 Cost of Living" in out


def test_unknown_input_gets_an_answer_never_silence(tmp_path: Path) -> None:
    out = console(tmp_path, ["/nonsense", "plain words", "/section 99", "/comment", "/reply", "/ban"])
    assert "I don't know /nonsense" in out
    assert "Commands start with /" in out
    assert "no section 99" in out
    assert out.count("\n\n") >= 6


def test_run_without_tokens_starts_the_console(tmp_path: Path) -> None:
    result = run(["run", "--db", str(tmp_path / "r.db")], tmp_path, "/sections\n")
    assert result.returncode == 0, result.stderr
    assert "TELEGRAM_BOT_TOKEN" in result.stderr and "Cost of Living" in result.stdout


def test_console_approval_reports_and_block_filter(tmp_path: Path) -> None:
    console(tmp_path, ["/approval on", "/filter add nasty block"], "--user", "mod", "--admin")
    waiting = console(tmp_path, ["/comment please let me in", "/comment so nasty", "/comments"], "--user", "ann")
    assert "waiting for a moderator" in waiting and "not allowed" in waiting and "No comments yet" in waiting
    approved = console(tmp_path, ["/approve #1", "/approval off"], "--user", "mod", "--admin")
    assert "Approved #1" in approved
    assert "please let me in" in console(tmp_path, ["/comments"], "--user", "bob")
    for reporter in ("r1", "r2"):
        assert "admins will see" in console(tmp_path, ["/report #1 spam"], "--user", reporter)
    assert "hidden until an admin" in console(tmp_path, ["/report #1 spam"], "--user", "r3")
    assert "please let me in" not in console(tmp_path, ["/comments"], "--user", "bob")
