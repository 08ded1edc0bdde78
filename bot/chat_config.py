"""Per-chat settings admins can change with /set, with defaults from the operator's settings."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from bot.errors import BotError
from bot.i18n import N_


@dataclass(frozen=True, slots=True)
class ChatConfig:
    edit_window: int = 15  # minutes an author may edit or delete their comment
    report_threshold: int = 3  # open reports that hide a comment for review
    reason_required: bool = False  # whether /remove and /ban need a reason
    approval: bool = False  # new comments wait for an admin
    slowmode: int = 0  # seconds between one user's comments; 0 = off

    def merged(self, stored: dict[str, str]) -> ChatConfig:
        values: dict[str, object] = {}
        for f in fields(self):
            if f.name in stored:
                try:
                    values[f.name] = _parse(f.name, stored[f.name])
                except BotError:
                    continue  # a stored value this version cannot read falls back to the default
        return replace(self, **values)  # type: ignore[arg-type]

    def shown(self) -> list[tuple[str, str, str]]:
        return [(name, _show(getattr(self, name)), DESCRIPTIONS[name]) for name in DESCRIPTIONS]


DESCRIPTIONS = {
    "edit_window": N_("minutes an author may edit or delete their own comment"),
    "report_threshold": N_("reports that hide a comment for review"),
    "reason_required": N_("whether /remove and /ban must give a reason (on/off)"),
    "approval": N_("new comments wait for approval (on/off; also /approval)"),
    "slowmode": N_("seconds between one member's comments, 0 for off (also /slowmode)"),
}
_LIMITS = {"edit_window": (0, 10_080), "report_threshold": (1, 1000), "slowmode": (0, 86_400)}


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def _parse(name: str, raw: str) -> int | bool:
    text = raw.strip().lower()
    if name in ("reason_required", "approval"):
        if text in ("on", "yes", "true", "1"):
            return True
        if text in ("off", "no", "false", "0"):
            return False
        raise BotError("{name} is on or off, not “{value}”.", name=name, value=raw[:20])
    low, high = _LIMITS[name]
    if text == "off" and name == "slowmode":
        return 0
    if not text.isascii() or not text.isdigit() or not low <= int(text) <= high:
        raise BotError("{name} takes a whole number from {low} to {high}.", name=name, low=low, high=high)
    return int(text)


def normalise(name: str, raw: str) -> tuple[str, str]:
    """Checks a /set name and value; returns them as stored."""
    key = name.strip().lower().replace("-", "_")
    if key not in DESCRIPTIONS:
        raise BotError("There is no setting “{name}”. Settings: {names}.", name=name[:30],
                       names=", ".join(DESCRIPTIONS))
    return key, _show(_parse(key, raw))
