"""Telegram updates as neutral events. Returns None for what is not addressed to the bot."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import CallbackQuery, Message, MessageEntity, Update
from telegram import User as TgUser

from bot.types import Attachment, ButtonPress, Chat, Command, Event, Payload, PlainReply, User

ANONYMOUS_ADMIN_ID = 1087968824  # "GroupAnonymousBot", the sender of messages posted as the group


@dataclass(frozen=True, slots=True)
class Incoming:
    event: Event
    message: Message | None  # what to reply to / where (thread)
    callback: CallbackQuery | None = None


def user_of(user: TgUser) -> User:
    return User(f"telegram:{user.id}", user.full_name or user.username or str(user.id), user.username)


def chat_of(message: Message) -> Chat:
    chat = message.chat
    thread = str(message.message_thread_id) if message.is_topic_message and message.message_thread_id else None
    return Chat(f"telegram:{chat.id}", private=chat.type == "private", thread=thread,
                title=chat.title or chat.full_name)


def _sender(message: Message) -> tuple[User, bool]:
    if message.sender_chat is not None and message.sender_chat.id == message.chat.id:
        # an anonymous admin: the message is posted as the group itself
        chat = message.sender_chat
        return User(f"telegram:{chat.id}", chat.title or "Group admins", chat.username), True
    assert message.from_user is not None
    return user_of(message.from_user), False


def _command(message: Message, bot_username: str) -> tuple[str, str] | None:
    """(name, args) when the message starts with a bot command addressed to us (or to nobody)."""
    text = message.text or message.caption or ""
    entities = message.entities or message.caption_entities or ()
    first = next((e for e in entities if e.offset == 0), None)
    if first is None or first.type != MessageEntity.BOT_COMMAND:
        return None
    command = text[1:first.length]
    name, _, addressee = command.partition("@")
    if addressee and addressee.casefold() != bot_username.casefold():
        return None  # /cmd@otherbot in a group belongs to another bot
    return name.lower(), text[first.length:].strip()


def _mentions_to_keys(message: Message, args: str) -> tuple[str, User | None]:
    """`text_mention` entities (users without @names) become `telegram:<id>` keys the core understands."""
    for entity in message.entities or ():
        if entity.type == MessageEntity.TEXT_MENTION and entity.user is not None:
            shown = message.parse_entity(entity)
            if shown and shown in args:
                return args.replace(shown, f"telegram:{entity.user.id}", 1), user_of(entity.user)
    return args, None


def _replied_user(message: Message, bot_id: int) -> User | None:
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or message.is_topic_message and replied.forum_topic_created:
        return None
    if replied.from_user.id in (bot_id, ANONYMOUS_ADMIN_ID) or replied.from_user.is_bot:
        return None
    return user_of(replied.from_user)


def from_message(message: Message, bot_id: int, bot_username: str) -> Incoming | None:
    if message.from_user is None and message.sender_chat is None:
        return None
    user, as_chat = _sender(message)
    chat = chat_of(message)
    command = _command(message, bot_username)
    attachment = None
    target = _replied_user(message, bot_id)
    payload: Payload
    if command is not None:
        name, args = command
        args, mentioned = _mentions_to_keys(message, args)
        target = mentioned or target
        payload = Command(name, args)
        if message.document is not None:
            doc = message.document
            attachment = Attachment(doc.file_name or "article", doc.file_size, doc.file_id)
    else:
        text = message.text
        replied = message.reply_to_message
        to_bot = replied is not None and replied.from_user is not None and replied.from_user.id == bot_id
        if text is None or not (to_bot or chat.private):
            return None  # group chatter not addressed to the bot
        payload = PlainReply(text, str(replied.message_id) if to_bot and replied else "")
    event = Event(user, chat, payload, message_id=str(message.message_id), target_user=target,
                  attachment=attachment, sender_is_chat=as_chat)
    return Incoming(event, message)


def from_update(update: Update, bot_id: int, bot_username: str) -> Incoming | None:
    if update.callback_query is not None:
        query = update.callback_query
        if query.data is None or query.message is None:
            return None
        message = query.message if isinstance(query.message, Message) else None
        where = query.message.chat
        chat = chat_of(message) if message else Chat(f"telegram:{where.id}", private=where.type == "private")
        event = Event(user_of(query.from_user), chat, ButtonPress(query.data), message_id=f"cb{query.id}")
        return Incoming(event, message, query)
    if update.message is not None:
        return from_message(update.message, bot_id, bot_username)
    return None
