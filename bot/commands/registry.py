"""The command table: names, help, typed parameters, who may use them, and their handlers.

Adapters build their menus (Telegram's command list, Discord's slash commands) from this table, in every
language, and the permission tests are generated from it, so a new command is wired and covered by adding it
here. Its texts are catalog messages (marked with `N_`), translated where they are shown.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum

from bot.context import Context
from bot.i18n import N_
from bot.types import Outcome, Reply

HandlerResult = Outcome | Reply
Handler = Callable[[Context, str], Awaitable[HandlerResult]]


class ParamKind(Enum):
    TEXT = "text"  # free text, the rest of the line
    WORD = "word"
    NUMBER = "number"
    COMMENT = "comment"  # #N
    SECTION = "section"  # number or words; autocompleted from the article
    ARTICLE = "article"  # number or slug; autocompleted
    USER = "user"
    DURATION = "duration"  # 30m, 2h, 7d
    CHOICE = "choice"


class Group(Enum):
    READING = N_("Reading")
    DISCUSSING = N_("Discussing")
    MODERATING = N_("Moderating (admins)")


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    kind: ParamKind
    description: str
    required: bool = False
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str
    summary: str  # one line, shown in menus (Telegram allows 256 chars, Discord 100)
    help: str
    group: Group
    handler: Handler
    params: tuple[Param, ...] = ()
    aliases: tuple[str, ...] = ()
    admin: bool = False  # refused for members before the handler runs
    changes_state: bool = False  # admin commands whose refusal must change nothing (tested)
    example: str = ""  # arguments that make the command act, used by the generated tests
    denied: str = ""  # admin commands: the sentence a member is told ("Only admins can ...")

    @property
    def usage(self) -> str:
        parts = [f"/{self.name}"]
        for p in self.params:
            parts.append(f"<{p.name}>" if p.required else f"[{p.name}]")
        return " ".join(parts)


class Registry:
    def __init__(self) -> None:
        self._specs: dict[str, CommandSpec] = {}
        self._aliases: dict[str, str] = {}

    def add(self, spec: CommandSpec) -> None:
        if spec.admin and not spec.denied:
            raise ValueError(f"admin command /{spec.name} needs the sentence a member is told (denied=...)")
        for name in (spec.name, *spec.aliases):
            if name in self._specs or name in self._aliases:
                raise ValueError(f"command /{name} defined twice")
        self._specs[spec.name] = spec
        for alias in spec.aliases:
            self._aliases[alias] = spec.name

    def command(
        self,
        name: str,
        summary: str,
        help: str,
        group: Group,
        *,
        params: tuple[Param, ...] = (),
        aliases: tuple[str, ...] = (),
        admin: bool = False,
        changes_state: bool = False,
        example: str = "",
        denied: str = "",
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.add(CommandSpec(name, summary, help, group, handler, params, aliases, admin, changes_state,
                                 example, denied))
            return handler

        return register

    def get(self, name: str) -> CommandSpec | None:
        key = name.lower()
        return self._specs.get(key) or self._specs.get(self._aliases.get(key, ""))

    def all(self) -> list[CommandSpec]:
        return list(self._specs.values())

    def names(self) -> list[str]:
        return [*self._specs, *self._aliases]


REGISTRY = Registry()
