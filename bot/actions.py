"""Button actions, encoded into the short strings platforms carry back (Telegram: at most 64 bytes).

A payload names only what to show or do, never the chat: the chat is the one the button was pressed in, so a
forged payload cannot reach into another chat. The one exception is the mod queue's buttons, which name a
review stored on the server; the review names its chat, and the presser must be an admin there when pressing.
Every action is permission-checked again when pressed.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import Enum

MAX_BYTES = 64


class Verb(Enum):
    SECTION = "s"  # article_id, section key ("" for the intro)
    COMMENTS = "c"  # article_id, section key ("*" for all), before number (0 = newest)
    ARTICLE = "a"  # article_id
    APPROVE = "ok"  # comment number
    REJECT = "no"  # comment number
    HELP = "h"  # command name
    LIKE = "lk"  # comment number: like it, or take the like back
    REVIEW = "rv"  # review id, decision word: the mod queue's buttons, acting in the review's own chat


_SHAPES: dict[Verb, tuple[str, ...]] = {
    Verb.SECTION: ("int", "key"),
    Verb.COMMENTS: ("int", "key", "int"),
    Verb.ARTICLE: ("int",),
    Verb.APPROVE: ("int",),
    Verb.REJECT: ("int",),
    Verb.HELP: ("key",),
    Verb.LIKE: ("int",),
    Verb.REVIEW: ("int", "key"),
}
_VERBS = {v.value: v for v in Verb}
_KEY = re.compile(r"^[\w*-]{0,32}$", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Action:
    verb: Verb
    args: tuple[str | int, ...]

    def int_arg(self, i: int) -> int:
        value = self.args[i]
        assert isinstance(value, int)
        return value

    def str_arg(self, i: int) -> str:
        return str(self.args[i])


@functools.lru_cache(maxsize=4096)  # the same few buttons are built for every section shown
def encode(verb: Verb, *args: str | int) -> str:
    data = ":".join([verb.value, *(str(a) for a in args)])
    if len(data.encode("utf-8")) > MAX_BYTES:
        raise ValueError(f"button data over {MAX_BYTES} bytes: {data!r}")
    if decode(data) is None:
        raise ValueError(f"button data does not round-trip: {data!r}")
    return data


def decode(data: str) -> Action | None:
    """The action in `data`, or None for anything malformed, stale or forged."""
    if len(data.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return None
    verb_text, *parts = data.split(":")
    verb = _VERBS.get(verb_text)
    if verb is None:
        return None
    shape = _SHAPES[verb]
    if len(parts) != len(shape):
        return None
    args: list[str | int] = []
    for kind, part in zip(shape, parts, strict=True):
        if kind == "int":
            if not part.isascii() or not part.isdigit() or len(part) > 12:
                return None
            args.append(int(part))
        elif _KEY.match(part):
            args.append(part)
        else:
            return None
    return Action(verb, tuple(args))
