"""Settings from the environment and `.env` (pydantic-settings). Tokens are secrets: never shown."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def parse_shard_ids(text: str) -> list[int] | None:
    """"0-3" or "4,5" (or "0-1,6") as a sorted list; None for empty. Raises ValueError on anything else."""
    if not text.strip():
        return None
    ids: set[int] = set()
    for part in text.split(","):
        first, dash, last = part.strip().partition("-")
        if not first.isdigit() or (dash and not last.isdigit()):
            raise ValueError("DISCORD_SHARD_IDS lists shard numbers like 0-3 or 4,5")
        ids.update(range(int(first), int(last) + 1) if dash else {int(first)})
    return sorted(ids)


class Settings(BaseSettings):
    # hide_input_in_errors: a rejected value may be a token or a URL with a password
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore",
                                      hide_input_in_errors=True)

    database_path: str = "./data/articlebot.db"
    # postgresql://user:password@host:port/dbname: PostgreSQL instead of the SQLite file (a secret: it may
    # hold a password)
    database_url: SecretStr | None = None
    database_pool_size: int = Field(default=10, ge=1, le=1000)  # PostgreSQL connections per process, at most
    bot_owners: Annotated[tuple[str, ...], NoDecode] = ()
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"  # json: one JSON object per line, for a log collector

    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_file_url: str = "https://api.telegram.org/file/bot"
    telegram_rate_limit: bool = True
    # Telegram's limits, kept by the whole fleet when several processes share a PostgreSQL database
    telegram_messages_per_second: float = Field(default=30.0, gt=0)
    telegram_group_messages_per_minute: float = Field(default=20.0, gt=0)
    telegram_webhook_listen: str = "0.0.0.0"
    telegram_webhook_port: int = 8443
    telegram_webhook_secret: SecretStr | None = None
    telegram_webhook_max_connections: int = Field(default=40, ge=1, le=100)  # updates Telegram sends at once

    discord_bot_token: SecretStr | None = None
    discord_api_url: str = "https://discord.com/api/v10"
    discord_gateway_url: str = "wss://gateway.discord.gg/"
    discord_guild_ids: Annotated[tuple[int, ...], NoDecode] = ()
    discord_command_prefix: str = "!"
    # the HTTP interactions endpoint (POST /interactions): the application's public key from the developer portal,
    # and where to listen (behind a TLS proxy; Discord posts to the "Interactions Endpoint URL" you set there)
    discord_public_key: str | None = None
    discord_interactions_port: int | None = Field(default=None, ge=0, le=65535)
    discord_interactions_listen: str = "127.0.0.1"
    # false for extra interactions workers: no gateway connection (exactly one process per shard holds it)
    discord_gateway: bool = True
    # sharding: how many shards the bot has ("auto": as Discord recommends) and which of them this process runs
    # ("0-3", "4,5"; empty: all of them)
    discord_shard_count: str = ""
    discord_shard_ids: str = ""
    # Discord's global limit, kept by the whole fleet when several processes share a PostgreSQL database
    discord_requests_per_second: float = Field(default=50.0, gt=0)

    edit_window_minutes: int = Field(default=15, ge=0)
    report_threshold: int = Field(default=3, ge=1)
    import_max_bytes: int = Field(default=2_000_000, ge=1)
    import_timeout_seconds: float = Field(default=20.0, gt=0)
    import_allow_private: bool = False  # let /import open loopback and private addresses (self-hosted sites)
    feed_poll_seconds: float = Field(default=900.0, gt=0)  # how often each followed feed is fetched
    admin_cache_seconds: int = Field(default=60, ge=0)
    sqlite_synchronous: str = "NORMAL"

    # an adapter that stops on its own is started again; this many failures within the window end the process
    adapter_restart_limit: int = Field(default=5, ge=1)
    adapter_restart_window_seconds: float = Field(default=300.0, gt=0)
    adapter_restart_delay_seconds: float = Field(default=1.0, gt=0)  # doubles after each failure, up to a minute
    health_port: int | None = Field(default=None, ge=0, le=65535)  # GET /healthz: each adapter's state
    health_listen: str = "127.0.0.1"
    # each room's discussion as a read-only web page (/web gives its address under WEB_BASE_URL)
    web_port: int | None = Field(default=None, ge=0, le=65535)
    web_listen: str = "127.0.0.1"
    web_base_url: str = ""

    @property
    def web_address(self) -> str | None:
        """The address /web prints pages under: WEB_BASE_URL, else this machine's port; None without WEB_PORT."""
        if self.web_port is None:
            return None
        return self.web_base_url.strip().rstrip("/") or f"http://{self.web_listen}:{self.web_port}"

    @property
    def discord_shards(self) -> tuple[int | None, list[int] | None] | None:
        """(shard count, or None for Discord's recommendation; this process's shard ids, or None for all), or
        None when the bot is not sharded."""
        count_text = self.discord_shard_count.strip().lower()
        if not count_text:
            return None
        count = None if count_text == "auto" else int(count_text)
        return count, parse_shard_ids(self.discord_shard_ids)

    @model_validator(mode="after")
    def _check_shards(self) -> Settings:
        count_text = self.discord_shard_count.strip().lower()
        if not count_text:
            if self.discord_shard_ids.strip():
                raise ValueError("DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT")
            return self
        if count_text != "auto" and (not count_text.isdigit() or not 1 <= int(count_text) <= 10_000):
            raise ValueError("DISCORD_SHARD_COUNT is a number of shards (1 or more) or auto")
        ids = parse_shard_ids(self.discord_shard_ids)
        if ids is not None and count_text == "auto":
            raise ValueError("DISCORD_SHARD_IDS needs a fixed DISCORD_SHARD_COUNT, not auto")
        if ids is not None and any(i >= int(count_text) for i in ids):
            raise ValueError("DISCORD_SHARD_IDS must be below DISCORD_SHARD_COUNT")
        return self

    @field_validator("discord_public_key")
    @classmethod
    def _check_public_key(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        key = value.strip().lower()
        if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
            raise ValueError("DISCORD_PUBLIC_KEY is the application's public key: 64 hexadecimal characters")
        return key

    @model_validator(mode="after")
    def _endpoint_needs_a_key(self) -> Settings:
        if self.discord_interactions_port is not None and self.discord_public_key is None:
            raise ValueError("DISCORD_INTERACTIONS_PORT needs DISCORD_PUBLIC_KEY to verify what Discord sends")
        if not self.discord_gateway and self.discord_interactions_port is None:
            raise ValueError("DISCORD_GATEWAY=false needs DISCORD_INTERACTIONS_PORT: without the gateway, "
                             "interactions can only come over HTTP")
        return self

    @field_validator("bot_owners", mode="before")
    @classmethod
    def _split_owners(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("bot_owners")
    @classmethod
    def _check_owner_keys(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for key in value:
            platform, _, ident = key.partition(":")
            if not platform or not ident:
                raise ValueError(f"BOT_OWNERS entries look like telegram:42 or discord:1234, not {key!r}")
        return value

    @field_validator("discord_guild_ids", mode="before")
    @classmethod
    def _split_guilds(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(int(part) for part in value.replace(" ", "").split(",") if part)
        return value

    @field_validator("telegram_rate_limit", mode="before")
    @classmethod
    def _on_off(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().lower() in {"on", "off"}:
            return value.strip().lower() == "on"
        return value

    @field_validator("database_url", mode="before")
    @classmethod
    def _url_or_unset(cls, value: object) -> object:
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if isinstance(value, str):
            if not value.strip():
                return None
            if not value.strip().startswith(("postgresql://", "postgres://")):
                # the value itself may hold a password: it is not repeated
                raise ValueError("DATABASE_URL is a postgresql:// URL (for a SQLite file, set DATABASE_PATH)")
            return value.strip()
        return value

    @property
    def database(self) -> str:
        """The store to open: the PostgreSQL URL when one is set, else the SQLite file."""
        return self.database_url.get_secret_value() if self.database_url is not None else self.database_path

    @field_validator("health_port", "web_port", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("sqlite_synchronous")
    @classmethod
    def _sync_mode(cls, value: str) -> str:
        if value.upper() not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
            raise ValueError("SQLITE_SYNCHRONOUS is one of OFF, NORMAL, FULL, EXTRA")
        return value.upper()
