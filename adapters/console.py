"""The console adapter: the whole bot in a terminal, interactive or scripted one message per line.

Typed lines: `/command args` runs a command; a number alone presses that button of the last reply;
`> text` replies to the last message that showed a section or comment (a comment on it).
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from bot.core import Core
from bot.errors import BotError
from bot.i18n import _, normalize, speaking
from bot.types import (
    Attachment,
    Block,
    Button,
    ButtonPress,
    Chat,
    Command,
    Event,
    Heading,
    Outcome,
    PlainReply,
    Quote,
    Reply,
    User,
)

PROMPT = "> "


def render_block(block: Block) -> str:
    if isinstance(block, Heading):
        return f"== {block.text} =="
    if isinstance(block, Quote):
        return "\n".join("  │ " + line for line in block.text.split("\n"))
    return "".join(span.text for span in block.spans)


def render(reply: Reply, first_button: int = 1) -> str:
    lines = [render_block(b) for b in reply.blocks]
    if reply.file is not None:
        lines.append(f"[file: {reply.file.filename}, {len(reply.file.content):,} bytes]")
    n = first_button
    for row in reply.buttons:
        cells = []
        for button in row:
            cells.append(f"[{n}] {button.label}")
            n += 1
        lines.append("   ".join(cells))
    return "\n".join(lines)


@dataclass
class ConsolePlatform:
    admin: bool = False

    async def is_chat_admin(self, chat: Chat, user: User) -> bool:
        return self.admin

    async def fetch(self, attachment: Attachment) -> bytes:
        try:
            return await asyncio.to_thread(lambda: Path(attachment.fetch_id).expanduser().read_bytes())
        except OSError as err:
            raise BotError("Could not read {name}: {reason}.", name=attachment.filename,
                           reason=err.strerror or err) from err


@dataclass
class ConsoleSession:
    core: Core
    user: User
    chat: Chat
    platform: ConsolePlatform
    out: TextIO = field(default_factory=lambda: sys.stdout)
    export_dir: Path | None = None
    _buttons: list[Button] = field(default_factory=list)
    _last_anchored: str | None = None
    _run: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    _seq: int = 0

    def _next_id(self) -> str:
        # unique across runs sharing a database, so idempotent comment recording never merges two lines
        self._seq += 1
        return f"{self._run}-{self._seq}"

    def say(self, text: str) -> None:
        self.out.write(text + "\n\n")

    def event_for(self, line: str) -> Event | None:
        """The line as an event, or None after saying (in the console user's language) why it is none."""
        with speaking(normalize(self.user.language)):
            return self._event_for(line)

    def _event_for(self, line: str) -> Event | None:
        text = line.strip()
        if not text:
            return None
        attachment = None
        if text.startswith("/"):
            name, _sep, args = text[1:].partition(" ")
            command = name.split("@")[0].lower()
            payload: Command | ButtonPress | PlainReply = Command(command, args.strip())
            if command == "import" and args.strip():
                path_text, _sep, slug = args.strip().partition(" ")
                path = Path(path_text).expanduser()
                size = path.stat().st_size if path.is_file() else None
                attachment = Attachment(path.name, size, str(path))
                payload = Command("import", slug.strip())
        elif text.isdigit() and self._buttons:
            index = int(text) - 1
            if not 0 <= index < len(self._buttons):
                self.say(_("There is no button {number}.").format(number=text))
                return None
            payload = ButtonPress(self._buttons[index].data)
        elif text.startswith(">"):
            if self._last_anchored is None:
                self.say(_("There is nothing to reply to yet: open a section first."))
                return None
            payload = PlainReply(text[1:].strip(), self._last_anchored)
        else:
            self.say(_("Commands start with / (try /help). To comment: /comment <text>, or > <text> to reply to "
                       "the last section or comment shown."))
            return None
        return Event(self.user, self.chat, payload, message_id=self._next_id(), attachment=attachment)

    async def send(self, line: str) -> Outcome | None:
        event = self.event_for(line)
        if event is None:
            return None
        outcome = await self.core.handle(event, self.platform)
        await self.show(outcome)
        return outcome

    async def show(self, outcome: Outcome) -> None:
        buttons: list[Button] = []
        if not outcome.replies and outcome.notice:
            self.out.write(outcome.notice + "\n\n")
        for reply in outcome.replies:
            self.out.write(render(reply, len(buttons) + 1) + "\n\n")
            buttons.extend(b for row in reply.buttons for b in row)
            if reply.file is not None and self.export_dir is not None:
                target = self.export_dir / reply.file.filename
                await asyncio.to_thread(target.write_bytes, reply.file.content)
                with speaking(normalize(self.user.language)):
                    self.say(_("(saved to {path})").format(path=target))
            if reply.anchor is not None:
                message_id = f"bot-{self._next_id()}"
                await self.core.remember_sent(self.chat, message_id, reply.anchor)
                self._last_anchored = message_id
        if buttons:
            self._buttons = buttons
        self.out.flush()


async def run_console(session: ConsoleSession, stdin: TextIO, interactive: bool,
                      read_line: Callable[[str], str] = input) -> None:
    if interactive:
        with speaking(normalize(session.user.language)):
            if session.platform.admin:
                welcome = _("articlebot console — you are {name} in chat {chat} (admin). /help lists commands, "
                            "Ctrl-D quits.")
            else:
                welcome = _("articlebot console — you are {name} in chat {chat}. /help lists commands, Ctrl-D quits.")
        session.say(welcome.format(name=session.user.name, chat=session.chat.key))
        while True:
            try:
                line = await asyncio.to_thread(read_line, PROMPT)
            except (EOFError, KeyboardInterrupt):
                session.out.write("\n")
                return
            await session.send(line)
    else:
        # read in a thread, so what runs beside the console (its web page) is served while it waits for input
        while line := await asyncio.to_thread(stdin.readline):
            await session.send(line.rstrip("\n"))
