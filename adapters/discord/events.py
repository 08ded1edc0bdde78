"""Discord messages and interactions as neutral Events: who, where, and what (command, reply, press)."""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.commands.registry import REGISTRY, ParamKind
from bot.i18n import N_, _
from bot.types import Attachment, Chat, Command, Event, PlainReply, User

USER_MENTION = re.compile(r"<@!?(\d{1,20})>")
_COMMAND_LINE = re.compile(r"(\S+)(?:\s+(.*))?", re.DOTALL)
_THREADS = {discord.ChannelType.public_thread, discord.ChannelType.private_thread, discord.ChannelType.news_thread}


class Unreadable(Exception):
    """An event that lacks what any answer needs (who sent it, where); `str()` says so in plain words, in
    the language being spoken."""

    message = ""

    def __str__(self) -> str:
        return _(self.message)


class NoChannel(Unreadable):
    message = N_("I can't tell which channel this came from, so I can't act on it. Please use the command in a "
                 "channel.")


class NoUser(Unreadable):
    message = N_("I can't tell who sent this, so I can't act on it.")


def user_of(author: discord.abc.User) -> User:
    ident = getattr(author, "id", None)
    if not isinstance(ident, int):
        raise NoUser
    # names come from the payload as given: a server that sends a number still gets a name shown
    name, handle = getattr(author, "display_name", None), getattr(author, "name", None)
    return User(f"discord:{ident}", str(name) if name is not None else str(ident),
                handle=str(handle) if handle is not None else None)


def chat_of(channel: Any, channel_id: int) -> Chat:
    """`discord:<channel id>`; a thread is its own chat (its own channel id) with `thread` set."""
    kind = getattr(channel, "type", None)
    title = getattr(channel, "name", None)
    return Chat(
        f"discord:{channel_id}",
        private=kind == discord.ChannelType.private,
        thread=str(channel_id) if kind in _THREADS else None,
        title=title if isinstance(title, str) else None,
    )


def attachment_of(file: discord.Attachment) -> Attachment:
    return Attachment(file.filename, file.size, file.url)


# ---- messages ---------------------------------------------------------------------------------------


def names_users(name: str) -> bool:
    spec = REGISTRY.get(name)
    return spec is not None and any(p.kind is ParamKind.USER for p in spec.params)


def text_command(content: str, prefix: str) -> tuple[str, str] | None:
    """`!name args` → (name, args) for a command the registry knows (aliases too); anything else is chat."""
    if not prefix or not content.startswith(prefix):
        return None
    match = _COMMAND_LINE.fullmatch(content[len(prefix):].strip())
    if match is None:
        return None
    name = match.group(1).lower()
    if REGISTRY.get(name) is None:
        return None  # "!!!" or "!important" is conversation, not a typo to correct
    return name, (match.group(2) or "").strip()


def mentions_to_keys(text: str) -> str:
    return USER_MENTION.sub(lambda m: f"discord:{m.group(1)}", text)


def _mentioned_user(message: discord.Message, args: str) -> User | None:
    match = USER_MENTION.search(args)
    if match is None:
        return None
    wanted = int(match.group(1))
    found = next((u for u in message.mentions if u.id == wanted), None)
    return user_of(found) if found is not None else User(f"discord:{wanted}", str(wanted))  # name unknown


def _referenced(message: discord.Message) -> discord.Message | None:
    resolved = message.reference.resolved if message.reference is not None else None
    return resolved if isinstance(resolved, discord.Message) else None


def _is_reply_here(message: discord.Message, reference: discord.MessageReference) -> bool:
    """A reply names a message of the same channel; a crossposted announcement or a forward references its
    source elsewhere, and only a reply's reference may point at one of the bot's messages."""
    if reference.channel_id != message.channel.id:
        return False
    if message.flags.is_crossposted or message.flags.crossposted:
        return False
    if getattr(reference, "type", discord.MessageReferenceType.default) != discord.MessageReferenceType.default:
        return False
    return message.type in (discord.MessageType.reply, discord.MessageType.default)


def message_event(message: discord.Message, bot_id: int, prefix: str) -> Event | None:
    """A text command, or a reply to one of the bot's messages; None for everything else."""
    if message.author.bot or message.webhook_id is not None:
        return None  # other bots, webhooks, and our own messages (discord.py marks the bot's user as bot)
    content = (message.content or "").strip() if isinstance(message.content, str | None) else ""
    if not content:
        return None  # without the message content intent guild messages arrive empty
    user = user_of(message.author)
    chat = chat_of(message.channel, message.channel.id)
    message_id = str(message.id)
    command = text_command(content, prefix)
    referenced = _referenced(message)
    if command is not None:
        name, args = command
        target = None
        if names_users(name):  # elsewhere (a comment's text) a mention stays as written
            target = _mentioned_user(message, args)
            args = mentions_to_keys(args)
        if target is None and referenced is not None and referenced.author.id != bot_id:
            target = user_of(referenced.author)
        attachment = attachment_of(message.attachments[0]) if message.attachments else None
        return Event(user, chat, Command(name, args), message_id=message_id, target_user=target,
                     attachment=attachment)
    reference = message.reference
    if reference is None or reference.message_id is None:
        return None
    if not _is_reply_here(message, reference):
        return None  # a crosspost, a forward or a pin notice names a message, but answers nothing here
    if referenced is None and reference.resolved is not None:
        return None  # a reply to a deleted message
    if referenced is not None and referenced.author.id != bot_id:
        return None  # a reply to someone else: conversation
    return Event(user, chat, PlainReply(content, str(reference.message_id)), message_id=message_id)
