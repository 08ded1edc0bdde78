"""Neutral types that cross the core/adapter boundary: who, where, what, and what to answer.

User text only ever travels as data in these types; each adapter's renderer escapes it for its platform.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True, slots=True)
class User:
    """Someone on a platform. `key` is `platform:id`, e.g. `telegram:42`."""

    key: str
    name: str
    handle: str | None = None  # a platform username (@ann), for naming users in commands
    language: str | None = None  # what the platform says the person reads (Telegram language_code, Discord locale)

    @property
    def platform(self) -> str:
        return self.key.split(":", 1)[0]


@dataclass(frozen=True, slots=True)
class Chat:
    """Where a message happened. `key` is `platform:id`; `thread` is a forum topic or thread id."""

    key: str
    private: bool = False
    thread: str | None = None
    title: str | None = None

    @property
    def platform(self) -> str:
        return self.key.split(":", 1)[0]


# ---- what came in ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Command:
    """`/name args...`; `args` is the raw text after the command name."""

    name: str
    args: str = ""


@dataclass(frozen=True, slots=True)
class ButtonPress:
    """A press on a button the bot sent; `data` is what `bot.actions.encode` produced."""

    data: str


@dataclass(frozen=True, slots=True)
class PlainReply:
    """A plain message replying to one of the bot's messages (e.g. replying to a shown section)."""

    text: str
    reply_to_message: str


@dataclass(frozen=True, slots=True)
class Reaction:
    """Someone added (or took back) a reaction on one of the bot's messages: a like of the comment it shows."""

    message_id: str
    added: bool


Payload = Command | ButtonPress | PlainReply | Reaction


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file that came with a message, fetched lazily by the adapter."""

    filename: str
    size: int | None
    fetch_id: str


@dataclass(frozen=True, slots=True)
class Event:
    """One incoming message or press. `message_id` makes redelivery idempotent."""

    user: User
    chat: Chat
    payload: Payload
    message_id: str | None = None
    target_user: User | None = None  # the user a reply or mention points at, for commands naming a user
    attachment: Attachment | None = None
    sender_is_chat: bool = False  # Telegram anonymous admins post as the group itself
    # refusals and errors reach only the sender (Discord interactions, Telegram button presses), so they are
    # written in the sender's language rather than the chat's
    answers_privately: bool = False


# ---- what goes out --------------------------------------------------------------------------------


class Style(Enum):
    PLAIN = "plain"
    BOLD = "bold"
    ITALIC = "italic"
    CODE = "code"


@dataclass(frozen=True, slots=True)
class Span:
    text: str
    style: Style = Style.PLAIN


@dataclass(frozen=True, slots=True)
class Heading:
    text: str


@dataclass(frozen=True, slots=True)
class Paragraph:
    spans: tuple[Span, ...]

    @staticmethod
    def of(*parts: str | Span) -> Paragraph:
        return Paragraph(tuple(p if isinstance(p, Span) else Span(p) for p in parts))


@dataclass(frozen=True, slots=True)
class Quote:
    """Someone's words quoted verbatim (a comment body)."""

    text: str


Block = Heading | Paragraph | Quote


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    data: str  # encoded action, at most 64 bytes


@dataclass(frozen=True, slots=True)
class File:
    filename: str
    content: bytes
    mime: str = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class Notify:
    """Someone an answer should reach: the author of the comment being replied to, and the platform message
    that made their comment (when a message made it), for the answer to reply to."""

    user_key: str
    message_id: str | None = None


@dataclass(frozen=True, slots=True)
class Anchor:
    """What a sent message shows, so that replying to it can comment on the right thing."""

    article_id: int
    section_key: str | None = None
    comment_number: int | None = None


@dataclass(frozen=True, slots=True)
class Sent:
    """A message the bot sent unprompted, to change it later: its chat and its platform message id."""

    chat_key: str
    message_id: str


@dataclass(frozen=True, slots=True)
class Reply:
    blocks: tuple[Block, ...]
    buttons: tuple[tuple[Button, ...], ...] = ()
    private: bool = False  # only the asker should see it (Discord ephemeral); plain message elsewhere
    file: File | None = None
    anchor: Anchor | None = None
    notify: Notify | None = None  # reach this person (a reply to their comment): the platform's own way


@dataclass(frozen=True, slots=True)
class Outcome:
    """Everything the core answers to one event."""

    replies: tuple[Reply, ...] = ()
    notice: str | None = None  # short toast for a button press


def text_reply(*lines: str, private: bool = False) -> Reply:
    return Reply(tuple(Paragraph.of(line) for line in lines), private=private)


def plain_text(block: Block) -> str:
    if isinstance(block, Heading):
        return block.text
    if isinstance(block, Quote):
        return block.text
    return "".join(span.text for span in block.spans)
