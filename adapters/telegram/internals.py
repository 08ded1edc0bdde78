"""The one module that reaches into python-telegram-bot's private API (checked by
tests/test_telegram_internals.py, so an upgrade that moves it fails there, loudly, and nowhere else).

`Bot._post` is PTB's own request pipeline (defaults, rate limiter, errors mapped to `telegram.error`)
without the objects `Bot`'s public methods build from every answer: the adapter reads updates as JSON and
keeps only a sent message's id, which is most of why it outruns the bare library. `DefaultValue` is how
`BaseRequest.do_request`, a documented extension point, marks a timeout the caller left unset."""

from __future__ import annotations

from typing import Any

from telegram import Bot
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput

__all__ = ["DefaultValue", "ODVInput", "post_raw"]


async def post_raw(bot: Bot, method: str, params: dict[str, Any], **timeouts: Any) -> Any:
    """The Bot API's answer to `method` as decoded JSON (through PTB's pipeline, rate limiter included)."""
    return await bot._post(method, params, **timeouts)
