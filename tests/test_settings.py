"""Settings: every one documented in .env.example, parsed from the environment, secrets never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from articlebot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_env_example_lists_every_setting_with_a_comment() -> None:
    lines = (ROOT / ".env.example").read_text().splitlines()
    names = [line.split("=", 1)[0] for line in lines if line and not line.startswith("#")]
    assert sorted(names) == sorted(name.upper() for name in Settings.model_fields)
    for i, line in enumerate(lines):
        if line and not line.startswith("#"):
            assert lines[i - 1].startswith("#"), f"{line} has no comment above it"


def test_values_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_OWNERS", "telegram:42, discord:7")
    monkeypatch.setenv("DISCORD_GUILD_IDS", "1,2")
    monkeypatch.setenv("TELEGRAM_RATE_LIMIT", "off")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:SECRET-VALUE")
    s = Settings()
    assert s.bot_owners == ("telegram:42", "discord:7")
    assert s.discord_guild_ids == (1, 2)
    assert s.telegram_rate_limit is False
    assert "SECRET-VALUE" not in repr(s) and "SECRET-VALUE" not in str(s.model_dump())


def test_bad_owner_key_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_OWNERS", "42")
    with pytest.raises(ValueError, match="telegram:42"):
        Settings()
