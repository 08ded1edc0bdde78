"""The Telegram adapter reads updates straight from the Bot API's JSON: what each kind of update becomes."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.telegram.events import ANONYMOUS_ADMIN_ID, from_update
from bot.types import ButtonPress, Command, PlainReply

BOT_ID, BOT = 999, "ArticleBot"
GROUP = -100123


def message(text: str | None = "hello", *, chat: dict[str, Any] | None = None, user: int = 7, mid: int = 50,
            **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"message_id": mid, "date": 1700000000,
                            "chat": chat or {"id": GROUP, "type": "supergroup", "title": "Readers"},
                            "from": {"id": user, "is_bot": False, "first_name": "Ann", "last_name": "Lee",
                                     "username": "ann"}}
    if text is not None:
        body["text"] = text
    return body | extra


def command(text: str, **extra: Any) -> dict[str, Any]:
    length = len(text.split(" ", 1)[0].encode("utf-16-le")) // 2
    return message(text, entities=[{"type": "bot_command", "offset": 0, "length": length}], **extra)


def event(update_message: dict[str, Any]):  # type: ignore[no-untyped-def]
    incoming = from_update({"update_id": 1, "message": update_message}, BOT_ID, BOT)
    return None if incoming is None else incoming.event


def test_a_command_addressed_to_us_or_nobody_and_its_arguments() -> None:
    got = event(command("/comment 😀 café <b>"))
    assert got is not None and got.payload == Command("comment", "😀 café <b>")
    assert got.user.key == "telegram:7" and got.user.name == "Ann Lee" and got.user.handle == "ann"
    assert got.chat.key == f"telegram:{GROUP}" and not got.chat.private and got.chat.title == "Readers"
    assert got.message_id == "50"
    named = event(command("/Section@articlebot 2"))
    assert named is not None and named.payload == Command("section", "2")
    assert event(command("/section@OtherBot 2")) is None


def test_a_command_after_an_emoji_free_text_is_not_a_command_and_chatter_is_ignored() -> None:
    assert event(message("just talking")) is None
    assert event(message("/section 2")) is None  # no bot_command entity: Telegram did not see a command


def test_a_text_mention_becomes_the_users_key_and_target() -> None:
    text = "/ban 😀Bob spam"
    entities = [{"type": "bot_command", "offset": 0, "length": 4},
                {"type": "text_mention", "offset": 5, "length": 5, "user": {"id": 31, "is_bot": False,
                                                                             "first_name": "Bob"}}]
    got = event(message(text, entities=entities))
    assert got is not None and got.payload == Command("ban", "telegram:31 spam")
    assert got.target_user is not None and got.target_user.key == "telegram:31"


def test_replies_to_the_bot_comment_and_a_reply_to_a_member_names_them() -> None:
    to_bot = event(message("nice section", reply_to_message=message("§2", user=BOT_ID, mid=40)
                           | {"from": {"id": BOT_ID, "is_bot": True, "first_name": "Bot"}}))
    assert to_bot is not None and to_bot.payload == PlainReply("nice section", "40")
    ban = event(command("/ban", reply_to_message=message("spam", user=8, mid=41)))
    assert ban is not None and ban.target_user is not None and ban.target_user.key == "telegram:8"
    private = event(message("hi", chat={"id": 7, "type": "private", "first_name": "Ann"}))
    assert private is not None and private.payload == PlainReply("hi", "") and private.chat.private


def test_anonymous_admins_post_as_the_group() -> None:
    got = event(command("/lock 2", sender_chat={"id": GROUP, "type": "supergroup", "title": "Readers"})
                | {"from": {"id": ANONYMOUS_ADMIN_ID, "is_bot": True, "first_name": "Group"}})
    assert got is not None and got.sender_is_chat and got.user.key == f"telegram:{GROUP}"


def test_forum_topics_keep_their_thread_and_the_topic_opener_is_nobody_to_target() -> None:
    opener = message(None, mid=3, forum_topic_created={"name": "Chapter 1", "icon_color": 1})
    got = event(command("/ban", message_thread_id=3, is_topic_message=True, reply_to_message=opener))
    assert got is not None and got.chat.thread == "3" and got.target_user is None


def test_a_document_with_a_command_caption_is_an_attachment() -> None:
    doc = message(None, caption="/import", caption_entities=[{"type": "bot_command", "offset": 0, "length": 7}],
                  document={"file_id": "F1", "file_unique_id": "u", "file_name": "post.html", "file_size": 1234})
    got = event(doc)
    assert got is not None and got.payload == Command("import", "")
    assert got.attachment is not None and (got.attachment.filename, got.attachment.size) == ("post.html", 1234)
    assert got.attachment.fetch_id == "F1"


def test_button_presses_on_messages_seen_and_too_old_to_see() -> None:
    pressed = message("§1", user=BOT_ID, mid=60)
    query = {"id": "q1", "from": {"id": 7, "is_bot": False, "first_name": "Ann"}, "chat_instance": "x",
             "data": "s:1:intro", "message": pressed}
    incoming = from_update({"update_id": 2, "callback_query": query}, BOT_ID, BOT)
    assert incoming is not None and incoming.event.payload == ButtonPress("s:1:intro")
    assert (incoming.callback_id, incoming.chat_id, incoming.message_id) == ("q1", GROUP, 60)
    old = query | {"message": {"chat": {"id": GROUP, "type": "supergroup"}, "message_id": 60, "date": 0}}
    stale = from_update({"update_id": 3, "callback_query": old}, BOT_ID, BOT)
    assert stale is not None and stale.message_id is None and stale.callback_id == "q1"
    assert from_update({"update_id": 4, "callback_query": query | {"data": None}}, BOT_ID, BOT) is None


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["message", "callback_query", "chat", "from", "id", "text", "entities", "type", "offset",
                         "length", "data", "message_id", "date", "reply_to_message", "sender_chat", "document",
                         "file_id", "user", "caption", "is_topic_message", "message_thread_id"]), inner, max_size=6),
    max_leaves=30)


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(st.sampled_from(["message", "callback_query", "update_id"]), JSONISH, max_size=3))
def test_malformed_updates_are_not_for_the_bot_and_never_raise(update: dict[str, Any]) -> None:
    incoming = from_update(update, BOT_ID, BOT)
    assert incoming is None or incoming.event.user.key.startswith("telegram:")
