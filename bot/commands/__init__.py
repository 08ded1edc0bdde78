"""Every command, registered in `REGISTRY` when this package is imported."""

from bot.commands import (  # noqa: F401
    discussing,
    feeds,
    language,
    moderation,
    modqueue,
    people,
    reading,
    rooms,
    subscriptions,
    transfer,
    votes,
    web,
)
from bot.commands.registry import REGISTRY, CommandSpec, Group, Param, ParamKind

__all__ = ["REGISTRY", "CommandSpec", "Group", "Param", "ParamKind"]
