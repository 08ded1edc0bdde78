"""Telegram updates, as the Bot API's JSON, turned into neutral events. None for what is not for the bot.

The adapter reads the handful of fields it needs straight from the update's JSON instead of building
python-telegram-bot's `Update` objects: constructing those (every nested object, every entity) cost about a
fifth of the adapter's CPU per update. Everything sent back still goes through python-telegram-bot.
Anything malformed (a field of the wrong type, a missing id) makes the update "not for the bot", never
an exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from adapters.telegram.platform import numeric_id
from bot.types import Attachment, ButtonPress, Chat, Command, Event, Payload, PlainReply, Reaction, User

ANONYMOUS_ADMIN_ID = 1087968824  # "GroupAnonymousBot", the sender of messages posted as the group
JSON = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Incoming:
    event: Event
    chat_id: int
    message_id: int | None  # the user's message (replied to), or the message whose button was pressed
    callback_id: str | None = None  # set for a button press


def _dict(value: object) -> JSON | None:
    return value if isinstance(value, dict) else None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def user_of(user: JSON) -> User | None:
    uid = _int(user.get("id"))
    if uid is None:
        return None
    full = " ".join(n for n in (_str(user.get("first_name")), _str(user.get("last_name"))) if n)
    handle = _str(user.get("username"))
    return User(f"telegram:{uid}", full or handle or str(uid), handle, language=_str(user.get("language_code")))


def chat_of(message: JSON) -> Chat | None:
    chat = _dict(message.get("chat"))
    cid = None if chat is None else _int(chat.get("id"))
    if chat is None or cid is None:
        return None
    thread_id = _int(message.get("message_thread_id"))
    thread = str(thread_id) if message.get("is_topic_message") is True and thread_id else None
    name = " ".join(n for n in (_str(chat.get("first_name")), _str(chat.get("last_name"))) if n)
    return Chat(f"telegram:{cid}", private=chat.get("type") == "private", thread=thread,
                title=_str(chat.get("title")) or name or None)


def _sender(message: JSON, chat: Chat) -> tuple[User, bool] | None:
    sender_chat = _dict(message.get("sender_chat"))
    if sender_chat is not None and f"telegram:{_int(sender_chat.get('id'))}" == chat.key:
        # an anonymous admin: the message is posted as the group itself
        return User(chat.key, _str(sender_chat.get("title")) or "Group admins", _str(sender_chat.get("username"))), True
    sender = _dict(message.get("from"))
    if sender is None or sender.get("is_bot") is True:
        return None  # other bots (Telegram itself never forwards them; a Bot API clone might) never take part
    user = user_of(sender)
    return None if user is None else (user, False)


def _entities(message: JSON, key: str) -> list[JSON]:
    found = message.get(key)
    return [e for e in found if isinstance(e, dict)] if isinstance(found, list) else []


def utf16_slice(text: str, offset: int, length: int) -> str:
    """Entity offsets and lengths count UTF-16 code units."""
    units = text.encode("utf-16-le", "surrogatepass")
    return units[offset * 2:(offset + length) * 2].decode("utf-16-le", "replace")


def _command(message: JSON, bot_username: str) -> tuple[str, str] | None:
    """(name, args) when the message starts with a bot command addressed to us (or to nobody)."""
    text = _str(message.get("text"))
    entities = _entities(message, "entities")
    if text is None:
        text = _str(message.get("caption")) or ""
        entities = _entities(message, "caption_entities")
    first = next((e for e in entities if e.get("offset") == 0), None)
    length = None if first is None else _int(first.get("length"))
    if first is None or first.get("type") != "bot_command" or not length:
        return None
    command = utf16_slice(text, 0, length)
    args = text[len(command):].strip()
    name, _, addressee = command[1:].partition("@")
    if addressee and addressee.casefold() != bot_username.casefold():
        return None  # /cmd@otherbot in a group belongs to another bot
    return name.lower(), args


def _mentions_to_keys(message: JSON, args: str) -> tuple[str, User | None]:
    """`text_mention` entities (users without @names) become `telegram:<id>` keys the core understands."""
    text = _str(message.get("text")) or ""
    for entity in _entities(message, "entities"):
        user = _dict(entity.get("user"))
        offset, length = _int(entity.get("offset")), _int(entity.get("length"))
        if entity.get("type") != "text_mention" or user is None or offset is None or length is None:
            continue
        mentioned = user_of(user)
        shown = utf16_slice(text, offset, length)
        if mentioned is not None and shown and shown in args:
            return args.replace(shown, mentioned.key, 1), mentioned
    return args, None


def _replied_user(message: JSON, replied: JSON | None, bot_id: int) -> User | None:
    sender = None if replied is None else _dict(replied.get("from"))
    if replied is None or sender is None:
        return None
    if message.get("is_topic_message") is True and "forum_topic_created" in replied:
        return None  # in a forum topic every message "replies" to the topic's opening message
    if _int(sender.get("id")) in (bot_id, ANONYMOUS_ADMIN_ID) or sender.get("is_bot") is True:
        return None
    return user_of(sender)


def _attachment(message: JSON) -> Attachment | None:
    doc = _dict(message.get("document"))
    file_id = None if doc is None else _str(doc.get("file_id"))
    if doc is None or file_id is None:
        return None
    return Attachment(_str(doc.get("file_name")) or "article", _int(doc.get("file_size")), file_id)


def from_message(message: JSON, bot_id: int, bot_username: str) -> Incoming | None:
    chat = chat_of(message)
    message_id = _int(message.get("message_id"))
    sender = None if chat is None else _sender(message, chat)
    if chat is None or message_id is None or sender is None:
        return None
    user, as_chat = sender
    replied = _dict(message.get("reply_to_message"))
    target = _replied_user(message, replied, bot_id)
    attachment = None
    payload: Payload
    command = _command(message, bot_username)
    if command is not None:
        name, args = command
        args, mentioned = _mentions_to_keys(message, args)
        target = mentioned or target
        payload = Command(name, args)
        attachment = _attachment(message)
    else:
        text = _str(message.get("text"))
        replied_from = None if replied is None else _dict(replied.get("from"))
        to_bot = replied_from is not None and _int(replied_from.get("id")) == bot_id
        if text is None or not (to_bot or chat.private):
            return None  # group chatter not addressed to the bot
        replied_id = None if replied is None else _int(replied.get("message_id"))
        payload = PlainReply(text, str(replied_id) if to_bot and replied_id is not None else "")
    event = Event(user, chat, payload, message_id=str(message_id), target_user=target,
                  attachment=attachment, sender_is_chat=as_chat)
    return Incoming(event, numeric_id(chat.key), message_id)


def from_callback(query: JSON) -> Incoming | None:
    data, query_id = _str(query.get("data")), _str(query.get("id"))
    sender, message = _dict(query.get("from")), _dict(query.get("message"))
    user = None if sender is None else user_of(sender)
    chat = None if message is None else chat_of(message)
    if data is None or query_id is None or user is None or message is None or chat is None:
        return None
    # a message too old for the bot to see arrives "inaccessible" (date 0): it can be answered, not edited
    accessible = message.get("date") != 0
    # what a press is answered with shows as a toast to the presser alone: written in their language
    event = Event(user, chat, ButtonPress(data), message_id=f"cb{query_id}", answers_privately=True)
    return Incoming(event, numeric_id(chat.key),
                    _int(message.get("message_id")) if accessible else None, query_id)


def from_reaction(update: JSON) -> Incoming | None:
    """A member's reactions on a message changed (Telegram sends them only when the bot is a group admin).
    Any reaction likes the comment the message shows; none left takes the like back. Anonymous reactions
    (posted as a chat) like nothing: nobody to count."""
    sender = _dict(update.get("user"))
    user = None if sender is None else user_of(sender)
    chat = chat_of(update)
    message_id = _int(update.get("message_id"))
    if user is None or chat is None or message_id is None:
        return None
    added = bool(update.get("new_reaction"))
    event = Event(user, chat, Reaction(str(message_id), added), message_id=f"re{message_id}:{user.key}:{added}")
    return Incoming(event, numeric_id(chat.key), None)


def from_update(update: JSON, bot_id: int, bot_username: str) -> Incoming | None:
    query = _dict(update.get("callback_query"))
    if query is not None:
        return from_callback(query)
    reaction = _dict(update.get("message_reaction"))
    if reaction is not None:
        return from_reaction(reaction)
    message = _dict(update.get("message"))
    return None if message is None else from_message(message, bot_id, bot_username)
