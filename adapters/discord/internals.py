"""The one module that reaches into discord.py's private API (checked by tests/test_discord_internals.py,
so an upgrade that moves it fails there, loudly, and nowhere else).

Why: discord.py's gateway loop calls `ConnectionState.parsers[event](data)` with no guard, and the parsers
index payloads freely. One event it cannot read (a member without `flags`, roles as objects, `"thread":
null`) raises out of the loop and ends the client for good: one malformed event from the platform would
be a total outage. Each parser is wrapped so such an event is logged and skipped, and the connection goes
on. The log names the event type and where the parser failed, never the exception's text, which may quote
user content."""

from __future__ import annotations

import logging
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import discord

log = logging.getLogger("articlebot.discord")
Parser = Callable[[Any], None]
_GUARDED = "_articlebot_guarded"


class SkippedEvents:
    """Events discord.py could not parse, by type (for tests and health reports)."""

    def __init__(self) -> None:
        self.by_event: Counter[str] = Counter()
        self._reported: set[tuple[str, str, str]] = set()

    def note(self, event: str, err: BaseException) -> None:
        self.by_event[event] += 1
        where = _where(err)
        key = (event, type(err).__name__, where)
        if key in self._reported:  # a burst of the same bad shape is one log line, not thousands
            log.debug("skipped another %s discord.py could not read (%s at %s)", event, key[1], where)
            return
        self._reported.add(key)
        log.warning("discord.py could not read a %s event (%s at %s); skipped it, the connection goes on",
                    event, type(err).__name__, where)


def _where(err: BaseException) -> str:
    frames = traceback.extract_tb(err.__traceback__)
    if not frames:
        return "?"
    last = frames[-1]
    return f"{Path(last.filename).name}:{last.lineno} {last.name}"


def guard_parsers(client: discord.Client, skipped: SkippedEvents) -> int:
    """Wrap every gateway event parser of `client`; returns how many were wrapped."""
    parsers: dict[str, Parser] = client._connection.parsers
    wrapped = 0
    for event, parse in list(parsers.items()):
        if getattr(parse, _GUARDED, False):
            continue
        parsers[event] = _guarded(event, parse, skipped)
        wrapped += 1
    return wrapped


def _guarded(event: str, parse: Parser, skipped: SkippedEvents) -> Parser:
    def run(data: Any) -> None:
        try:
            parse(data)
        except Exception as err:
            skipped.note(event, err)

    setattr(run, _GUARDED, True)
    return run


async def close_client(client: discord.Client) -> None:
    """`client.close()`, first cancelling the state's pending READY task: a connection that ends before
    discord.py's guild wait is over would otherwise fire `on_ready` into a closed client, whose loop is
    gone ("Task exception was never retrieved")."""
    ready = client._connection._ready_task
    if ready is not None and not ready.done():
        ready.cancel()
    await client.close()
