"""What every platform adapter offers the runner."""

from __future__ import annotations

from typing import Protocol

from bot.types import Reply, Sent


class AdapterStartError(RuntimeError):
    """An adapter cannot start for a reason the operator must fix (a refused token); says which, plainly."""


class Adapter(Protocol):
    name: str

    async def start(self) -> None:
        """Connects and begins serving in the background; returns once serving."""
        ...

    async def stop(self) -> None:
        """Stops serving and releases connections; safe to call twice."""
        ...

    async def announce(self, chat_key: str, reply: Reply) -> Sent | None:
        """Says `reply` in a chat of this platform unprompted (a followed feed's new post); None when it
        could not be delivered."""
        ...

    async def announce_privately(self, user_key: str, reply: Reply) -> Sent | None:
        """A private message to a person of this platform; None when it may not write to them first."""
        ...

    async def edit(self, sent: Sent, reply: Reply) -> bool:
        """Replaces what a message sent by `announce` shows; False when it could not."""
        ...

    def start_link(self, user_key: str) -> str | None:
        """Where a person opens a private chat with the bot, when the platform needs them to first."""
        ...

    async def wait_closed(self) -> None:
        """Returns when the adapter has stopped for good (after stop(), or a fatal error such as a bad token)."""
        ...
