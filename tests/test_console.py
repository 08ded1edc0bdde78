"""The command line as a user runs it: `python -m articlebot` subprocesses on a real SQLite file and a real
PostgreSQL database."""

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
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("TELEGRAM_", "DISCORD_", "DATABASE_", "LANG", "LC_"))}
    clean["PYTHONPATH"] = str(ROOT)
    clean.update(env or {})
    return subprocess.run([sys.executable, "-m", "articlebot", *args], cwd=cwd, input=stdin, capture_output=True,
                          text=True, timeout=120, env=clean)


def console(database: Path | str, tmp_path: Path, lines: list[str], *extra: str) -> str:
    result = run(["console", "--db", str(database), *extra], tmp_path, "\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_import_prints_the_outline_without_boilerplate(database: Path | str, tmp_path: Path) -> None:
    result = run(["import", str(DEMO), "--db", str(database)], tmp_path)
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


def test_piped_console_reads_and_comments_and_survives_restart(database: Path | str, tmp_path: Path) -> None:
    hostile = ["<b>&amp;</b>", "*_under_*", "@everyone", "中文评论", "emoji 😀👍🏽", "z" * 5000]
    out = console(database, tmp_path, ["/sections", "/section 2", *(f"/comment {h}" for h in hostile), "/comments 2"])
    assert all(h in out for h in HEADINGS)
    assert "cost of living in China, particularly for housing" in out
    for text in hostile:
        assert f"  │ {text}\n" in out
    again = console(database, tmp_path, ["/comments 2"], "--user", "someone-else")
    for text in hostile[:5]:
        assert f"  │ {text}\n" in again
    assert "z" * 5000 in again


def test_moderation_across_two_users_and_two_chats(database: Path | str, tmp_path: Path) -> None:
    console(database, tmp_path, ["/section 1", "/comment hello from ann"], "--user", "ann", "--chat", "a")
    refused = console(database, tmp_path, ["/remove #1"], "--user", "bob", "--chat", "a")
    assert "Only admins can hide a comment" in refused
    done = console(database, tmp_path, ["/remove #1 rude", "/modlog", "/ban ann 1h spam", "/filter add bad hold",
                              "/approval on", "/export md"], "--user", "mod", "--admin", "--chat", "a")
    assert "Removed #1" in done and "before: hello from ann" in done
    assert "(saved to" in done and (tmp_path / "demo.md").exists()
    banned = console(database, tmp_path, ["/comment let me"], "--user", "ann", "--chat", "a")
    assert "You are banned" in banned and "Reason: spam" in banned
    queued = console(database, tmp_path, ["/comment this is bad", "/comment fine"], "--user", "bob", "--chat", "a")
    assert queued.count("waiting for a moderator") == 2
    other = console(database, tmp_path, ["/comments", "/comment free here", "/remove #1"],
                    "--user", "ann", "--chat", "b")
    assert "hello from ann" not in other and "Saved as #1" in other and "Only admins" in other
    mod_b = console(database, tmp_path, ["/pending", "/modlog"], "--user", "mod", "--admin", "--chat", "b")
    assert "this is bad" not in mod_b and "No moderation actions yet" in mod_b


def test_buttons_are_pressed_by_number_and_replies_comment(database: Path | str, tmp_path: Path) -> None:
    out = console(database, tmp_path, ["/section 1", "3", "> replying to section two"])
    assert "== Cost of Living ==" in out
    assert "Saved as #1 on §2 Cost of Living" in out


def test_unknown_input_gets_an_answer_never_silence(database: Path | str, tmp_path: Path) -> None:
    out = console(database, tmp_path, ["/nonsense", "plain words", "/section 99", "/comment", "/reply", "/ban"])
    assert "I don't know /nonsense" in out
    assert "Commands start with /" in out
    assert "no section 99" in out
    assert out.count("\n\n") >= 6


def test_run_without_tokens_starts_the_console(tmp_path: Path) -> None:
    result = run(["run", "--db", str(tmp_path / "r.db")], tmp_path, "/sections\n")
    assert result.returncode == 0, result.stderr
    assert "TELEGRAM_BOT_TOKEN" in result.stderr and "Cost of Living" in result.stdout


def test_console_approval_reports_and_block_filter(database: Path | str, tmp_path: Path) -> None:
    console(database, tmp_path, ["/approval on", "/filter add nasty block"], "--user", "mod", "--admin")
    waiting = console(database, tmp_path, ["/comment please let me in", "/comment so nasty", "/comments"],
                      "--user", "ann")
    assert "waiting for a moderator" in waiting and "not allowed" in waiting and "No comments yet" in waiting
    approved = console(database, tmp_path, ["/approve #1", "/approval off"], "--user", "mod", "--admin")
    assert "Approved #1" in approved
    assert "please let me in" in console(database, tmp_path, ["/comments"], "--user", "bob")
    for reporter in ("r1", "r2"):
        assert "admins will see" in console(database, tmp_path, ["/report #1 spam"], "--user", reporter)
    assert "hidden until an admin" in console(database, tmp_path, ["/report #1 spam"], "--user", "r3")
    assert "please let me in" not in console(database, tmp_path, ["/comments"], "--user", "bob")


def test_import_then_export_on_the_same_database(database: Path | str, tmp_path: Path) -> None:
    article = tmp_path / "piece.md"
    article.write_text("# A piece\n\nIntro.\n\n## First part\n\nWords.\n\n## Second part\n\nMore words.\n")
    assert run(["import", str(article), "--db", str(database)], tmp_path).returncode == 0
    console(database, tmp_path, ["/article piece", "/section 2", "/comment on the second part"], "--admin")
    result = run(["export", "--db", str(database), "--format", "md"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "A piece" in result.stdout and "on the second part" in result.stdout


def test_an_unreachable_database_is_named_without_its_password(tmp_path: Path) -> None:
    url = "postgresql://bob:pa%40ss-w0rd@127.0.0.1:1/nowhere"
    result = run(["console", "--db", url], tmp_path, "/help\n")
    assert result.returncode == 1
    assert "Cannot open the database postgresql://bob:***@127.0.0.1:1/nowhere" in result.stderr
    assert "pa%40ss" not in result.stderr + result.stdout and "pa@ss" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    bad = run(["console"], tmp_path, "", env={"DATABASE_URL": "mysql://bob:hunter22@db/x"})
    assert bad.returncode == 2 and "DATABASE_URL is a postgresql:// URL" in bad.stderr
    assert "hunter22" not in bad.stderr


def test_import_show_prints_the_whole_article_and_stores_nothing(tmp_path: Path) -> None:
    result = run(["import", str(DEMO), "--show", "--db", str(tmp_path / "s.db")], tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Title: The Great Migration of TikTok to RedNote" in out and "By: Joel Wong" in out
    assert "known in China as Xiaohongshu" in out  # the intro, in full
    assert [out.index(f". {h}") for h in HEADINGS] == sorted(out.index(f". {h}") for h in HEADINGS)
    assert "cost of living in China, particularly for housing" in out  # each section's text
    assert not (tmp_path / "s.db").exists()


def test_the_console_serves_its_web_page_when_web_port_is_set(tmp_path: Path) -> None:
    """`WEB_PORT=… ./start`: /web in the console gives an address that serves the console's discussion while it
    runs."""
    import re
    import urllib.request

    from tests.pg_cluster import free_port

    port = free_port()
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("TELEGRAM_", "DISCORD_", "DATABASE_", "LANG", "LC_"))}
    clean.update(PYTHONPATH=str(ROOT), WEB_PORT=str(port), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "articlebot", "console", "--admin", "--db", str(tmp_path / "c.db")],
                            cwd=tmp_path, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=clean)
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write("/comment seen on the web from the console\n/web\n")
        proc.stdin.flush()
        link = None
        for _line in range(400):
            found = re.search(r"http://127\.0\.0\.1:\d+/d/\S+", proc.stdout.readline())
            if found:
                link = found[0]
                break
        assert link is not None and link.startswith(f"http://127.0.0.1:{port}/d/")
        with urllib.request.urlopen(link, timeout=10) as response:  # noqa: S310  (loopback, this test's server)
            page = response.read().decode()
        assert "seen on the web from the console" in page and "⌨️" in page
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        assert proc.wait(timeout=60) == 0
