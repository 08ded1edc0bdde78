"""Neutral buttons as persistent Discord buttons: custom_id `ab:<data>`, answered after restarts too.

A press is read from its raw payload (`interactions.RawInteractions`) by its custom_id alone, checked against
the message it is on: no view is kept in memory, and a press on a message sent before a restart still reaches
the core.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord

from adapters.discord.limits import BUTTON_LABEL_LIMIT, CUSTOM_ID_LIMIT, PER_ROW, ROWS
from bot.types import Button

log = logging.getLogger("articlebot.discord")

PREFIX = "ab:"
TEMPLATE = r"ab:(?P<data>.*)"


def label_of(text: str) -> str:
    text = " ".join(text.split()) or "…"
    return text if len(text) <= BUTTON_LABEL_LIMIT else text[: BUTTON_LABEL_LIMIT - 1] + "…"


def is_ours(custom_id: str) -> bool:
    return re.fullmatch(TEMPLATE, custom_id) is not None


def layout(rows: tuple[tuple[Button, ...], ...]) -> list[list[Button]]:
    """The core's rows in Discord's grid: at most 5 per row (longer rows wrap), at most 5 rows."""
    grid: list[list[Button]] = []
    for row in rows:
        usable = [b for b in row if len(PREFIX + b.data) <= CUSTOM_ID_LIMIT]
        if len(usable) < len(row):
            log.warning("dropped %d button(s) whose data is longer than a custom_id allows", len(row) - len(usable))
        grid += [usable[i:i + PER_ROW] for i in range(0, len(usable), PER_ROW)]
    if len(grid) > ROWS:
        log.warning("dropped %d button row(s) beyond Discord's five", len(grid) - ROWS)
    return grid[:ROWS]


def components_of(rows: tuple[tuple[Button, ...], ...]) -> list[dict[str, Any]]:
    """The buttons as the API's component JSON: secondary style, labels cut to Discord's limit."""
    return [{"type": 1, "components": [{"type": 2, "style": discord.ButtonStyle.secondary.value,
                                        "label": label_of(b.label), "custom_id": PREFIX + b.data} for b in row]}
            for row in layout(rows)]


def message_has(message: discord.Message | None, custom_id: str) -> bool:
    """Does the message carry a button with this custom_id? (discord.py drops presses of buttons that
    are not on the message, so those are answered by the caller.)"""
    if message is None:
        return False
    for row in message.components:
        for child in getattr(row, "children", ()):
            if getattr(child, "custom_id", None) == custom_id:
                return True
    return False
