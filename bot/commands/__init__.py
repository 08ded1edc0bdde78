"""Every command, registered in `REGISTRY` when this package is imported."""

from bot.commands import discussing, feeds, language, moderation, reading, transfer, votes  # noqa: F401
from bot.commands.registry import REGISTRY, CommandSpec, Group, Param, ParamKind

__all__ = ["REGISTRY", "CommandSpec", "Group", "Param", "ParamKind"]
