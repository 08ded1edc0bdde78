"""The private python-telegram-bot API that adapters/telegram/internals.py relies on is still there, with
the shape it expects: an upgrade that changes it fails here, by name, rather than somewhere in a run."""

from __future__ import annotations

import inspect

from telegram import Bot
from telegram.request import BaseRequest

from adapters.telegram import internals


def test_bot_post_takes_an_endpoint_data_and_timeouts() -> None:
    post = Bot._post
    assert inspect.iscoroutinefunction(post)
    params = inspect.signature(post).parameters
    assert list(params)[:3] == ["self", "endpoint", "data"]
    for timeout in ("read_timeout", "write_timeout", "connect_timeout", "pool_timeout"):
        assert timeout in params


def test_unset_timeouts_are_marked_with_default_value() -> None:
    assert isinstance(BaseRequest.DEFAULT_NONE, internals.DefaultValue)
    hints = inspect.signature(BaseRequest.do_request).parameters
    assert "read_timeout" in hints and hints["read_timeout"].default is BaseRequest.DEFAULT_NONE
