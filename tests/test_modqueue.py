"""The mod queue (/modqueue) and appeals (/appeal) on both stores: held comments reach the moderators who asked,
one press decides them in their own chat (checked again when pressed), every copy then shows the outcome,
decisions are told to their person, who may appeal each once; every step lands in the modlog."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from adapters.feedloop import AnnouncementRouter
from adapters.telegram.send import ATTEMPTS as SEND_ATTEMPTS
from bot.actions import Verb, decode
from bot.modqueue import GIVE_UP_SECONDS, HOLD_SECONDS, ModQueueSender
from bot.ports import PlatformUnreachable
from bot.records import Status
from bot.types import Reply, Sent, plain_text, text_reply
from tests.discord_harness import ADMIN, GENERAL, MOD, PLAIN, discord_world
from tests.support import FakeClock, Harness, text_of
from tests.telegram_harness import GROUP, telegram_rig, texts


def words(reply: Reply) -> str:
    return "\n".join(plain_text(b) for b in reply.blocks)


class Desk:
    """An Announcer that keeps every message it sent, as it now reads (edits replace it)."""

    def __init__(self) -> None:
        self.messages: dict[Sent, Reply] = {}
        self.order: list[Sent] = []

    def _keep(self, chat_key: str, reply: Reply) -> Sent:
        sent = Sent(chat_key, str(len(self.order) + 1))
        self.messages[sent] = reply
        self.order.append(sent)
        return sent

    async def announce(self, chat_key: str, reply: Reply) -> Sent | None:
        return self._keep(chat_key, reply)

    async def announce_privately(self, user_key: str, reply: Reply) -> Sent | None:
        return self._keep(user_key, reply)  # on the test platform a person's private chat has their key

    async def edit(self, sent: Sent, reply: Reply) -> bool:
        assert sent in self.messages
        self.messages[sent] = reply
        return True

    def start_link(self, user_key: str) -> str | None:
        return None

    def in_chat(self, chat_key: str) -> list[Reply]:
        return [self.messages[s] for s in self.order if s.chat_key == chat_key]

    def button(self, chat_key: str, word: str) -> str:
        """The data of the `word` button (ok, no, ban, acc, up) on the last card in `chat_key`."""
        for reply in reversed(self.in_chat(chat_key)):
            for row in reply.buttons:
                for button in row:
                    action = decode(button.data)
                    if action is not None and action.verb is Verb.REVIEW and action.str_arg(1) == word:
                        return button.data
        raise AssertionError(f"no {word} button in {chat_key}")


class Flaky(Desk):
    """A Desk that cannot reach some chats for now (the platform down), then can again."""

    def __init__(self) -> None:
        super().__init__()
        self.down: set[str] = set()

    async def announce(self, chat_key: str, reply: Reply) -> Sent | None:
        if chat_key in self.down:
            raise PlatformUnreachable(chat_key)
        return await super().announce(chat_key, reply)

    async def announce_privately(self, user_key: str, reply: Reply) -> Sent | None:
        if user_key in self.down:
            raise PlatformUnreachable(user_key)
        return await super().announce_privately(user_key, reply)


async def held_world(h: Harness) -> tuple[Desk, ModQueueSender]:
    h.admin("boss")
    h.admin("sue")
    await h.say("boss", "/approval on")
    assert "private message" in await h.say("boss", "/modqueue dm")
    await h.say("sue", "/modqueue dm")
    desk = Desk()
    return desk, ModQueueSender(h.core.services, desk, "test-process")


async def test_a_held_comment_reaches_every_moderator_and_one_press_approves_it_everywhere(harness: Harness) -> None:
    desk, sender = await held_world(harness)
    assert "waiting for a moderator" in await harness.say("ann", "/comment trams at night")
    assert await sender.send_due() == 1
    for mod in ("test:boss", "test:sue"):
        (card,) = desk.in_chat(mod)
        assert "Waiting for review" in words(card) and "trams at night" in words(card) and "Ann" in words(card)
        assert [b.label for b in card.buttons[0]] == ["✅ Approve", "❌ Reject", "⛔ Ban Ann"]
    stale = desk.button("test:sue", "ok")  # Sue's copy, pressed after Boss decided
    pressed = await harness.press("boss", desk.button("test:boss", "ok"), "test:boss", private=True)
    assert "Approved #1" in text_of(pressed)
    assert (await harness.store.comment("test:group", 1)).status is Status.VISIBLE  # type: ignore[union-attr]
    assert await sender.send_due() == 1
    for mod in ("test:boss", "test:sue"):  # every copy says who acted, and has no buttons left
        (card,) = desk.in_chat(mod)
        assert "Approved by Boss" in words(card) and card.buttons == ()
    (shown,) = desk.in_chat("test:group")  # approved from elsewhere: the chat sees the comment now
    assert "#1 by Ann was approved" in words(shown) and "trams at night" in words(shown)
    assert shown.anchor is not None and shown.anchor.comment_number == 1  # replies to it answer #1
    late = await harness.press("sue", stale, "test:sue", private=True)
    assert "Already decided by Boss" in text_of(late)
    log = await harness.say("boss", "/modlog")
    assert "approve #1" in log and "modqueue" in log


async def test_a_moderator_unreachable_for_now_gets_the_card_later_and_nobody_gets_it_twice(harness: Harness) -> None:
    harness.admin("boss")
    harness.admin("sue")
    await harness.say("boss", "/approval on")
    await harness.say("boss", "/modqueue dm")
    await harness.say("sue", "/modqueue dm")
    desk = Flaky()
    sender = ModQueueSender(harness.core.services, desk, "test-process")
    desk.down = {"test:sue"}
    await harness.say("ann", "/comment buses at dawn")
    assert await sender.send_due() == 0  # not finished: Sue is still to be reached
    assert len(desk.in_chat("test:boss")) == 1 and desk.in_chat("test:sue") == []
    assert await sender.send_due() == 0 and len(desk.order) == 1  # claimed for a while: not tried again at once
    harness.clock.advance(HOLD_SECONDS + 1)
    assert await sender.send_due() == 0 and len(desk.order) == 1  # still down: still nothing sent twice
    desk.down = set()
    harness.clock.advance(HOLD_SECONDS + 1)
    assert await sender.send_due() == 1
    assert len(desk.in_chat("test:boss")) == 1 and len(desk.in_chat("test:sue")) == 1  # each one card
    pressed = await harness.press("sue", desk.button("test:sue", "ok"), "test:sue", private=True)
    assert "Approved #1" in text_of(pressed)
    assert await sender.send_due() == 1
    for mod in ("test:boss", "test:sue"):  # both copies were recorded, so both show the outcome
        (card,) = desk.in_chat(mod)
        assert "Approved by Sue" in words(card)


async def test_a_card_no_platform_takes_for_a_day_is_given_up(harness: Harness) -> None:
    desk, _sender = await held_world(harness)
    flaky = Flaky()
    sender = ModQueueSender(harness.core.services, flaky, "test-process")
    flaky.down = {"test:boss", "test:sue"}
    await harness.say("ann", "/comment nobody can be told")
    assert await sender.send_due() == 0
    harness.clock.advance(GIVE_UP_SECONDS + 1)
    assert await sender.send_due() == 1  # posted to nobody: not tried for ever
    flaky.down = set()
    harness.clock.advance(HOLD_SECONDS + 1)
    assert await sender.send_due() == 0 and flaky.order == []
    assert desk.order == []


async def test_a_press_is_checked_again_and_refused_to_someone_not_an_admin_of_that_chat(harness: Harness) -> None:
    desk, sender = await held_world(harness)
    await harness.say("ann", "/comment spam spam")
    await sender.send_due()
    data = desk.button("test:boss", "ok")
    assert "Only the admins of that chat" in text_of(await harness.press("eve", data, "test:eve", private=True))
    harness.platform.admins.discard(("test:group", "test:boss"))  # no longer an admin there
    assert "Only the admins of that chat" in text_of(await harness.press("boss", data, "test:boss", private=True))
    assert (await harness.store.comment("test:group", 1)).status is Status.PENDING  # type: ignore[union-attr]
    assert "no longer valid" in text_of(await harness.press("sue", "rv:999:ok", "test:sue", private=True))
    assert "no longer valid" in text_of(await harness.press("sue", data.replace(":ok", ":acc"), "test:sue",
                                                            private=True))


async def test_a_comment_approved_in_its_chat_updates_the_moderators_copies_and_is_not_shown_twice(
        harness: Harness) -> None:
    desk, sender = await held_world(harness)
    await harness.say("ann", "/comment held one")
    await sender.send_due()
    assert "Approved #1" in await harness.say("sue", "/approve #1")
    assert await sender.send_due() == 1
    assert "Approved by Sue" in words(desk.in_chat("test:boss")[0]) and desk.in_chat("test:boss")[0].buttons == ()
    assert desk.in_chat("test:group") == []  # the chat already saw /approve's answer


async def test_reject_and_ban_buttons_tell_the_author_privately(harness: Harness) -> None:
    desk, sender = await held_world(harness)
    await harness.say("ann", "/comment first")
    await harness.say("ann", "/comment second")
    await sender.send_due()
    first, second = [r for r in desk.in_chat("test:boss")]
    no = next(b.data for b in first.buttons[0] if b.data.endswith(":no"))
    ban = next(b.data for b in second.buttons[0] if b.data.endswith(":ban"))
    assert "Rejected #1" in text_of(await harness.press("boss", no, "test:boss", private=True))
    assert "banned its author" in text_of(await harness.press("sue", ban, "test:sue", private=True))
    assert "banned" in await harness.say("ann", "/comment third")
    await sender.send_due()
    told = "\n".join(words(r) for r in desk.in_chat("test:ann"))
    assert "did not publish your comment #1" in told and "banned you from commenting" in told
    assert "/appeal" in told
    copies = "\n".join(words(r) for r in desk.in_chat("test:sue"))
    assert "Rejected by Boss" in copies and "Rejected by Sue, who also banned its author" in copies


async def test_a_moderators_chat_is_named_with_a_one_time_code(harness: Harness) -> None:
    harness.admin("boss")
    harness.admin("boss", "test:mods")
    harness.admin("eve", "test:mods")
    said = await harness.say("boss", "/modqueue here")
    code = re.search(r"/modqueue here ([A-Z0-9]{8})", said)
    assert code is not None
    assert "not valid" in await harness.say("eve", f"/modqueue here {code[1]}", "test:mods")  # not hers
    assert "not in the chat it came from" in await harness.say("boss", f"/modqueue here {code[1]}")
    assert "not valid" in await harness.say("boss", f"/modqueue here {code[1]}", "test:mods")  # used up above
    code = re.search(r"[A-Z0-9]{8}", await harness.say("boss", "/modqueue here"))
    assert code is not None
    harness.clock.advance(601)
    assert "not valid" in await harness.say("boss", f"/modqueue here {code[0]}", "test:mods")  # expired
    code = re.search(r"[A-Z0-9]{8}", await harness.say("boss", "/modqueue here"))
    assert code is not None
    assert "will come here" in await harness.say("boss", f"/modqueue here {code[0]}", "test:mods")
    assert "moderators' chat" in await harness.say("boss", "/modqueue")
    desk = Desk()
    await harness.say("boss", "/filter add trams hold")
    await harness.say("ann", "/comment trams again")
    await ModQueueSender(harness.core.services, desk, "p").send_due()
    (card,) = desk.in_chat("test:mods")
    assert "trams again" in words(card) and "held by a word filter" in words(card)
    assert "wait in /pending only" in await harness.say("boss", "/modqueue off")
    await harness.say("ann", "/comment trams once more")
    await ModQueueSender(harness.core.services, desk, "p").send_due()
    assert len(desk.in_chat("test:mods")) == 1
    assert "Only admins can choose" in await harness.say("ann", "/modqueue dm")


async def test_a_comment_hidden_by_reports_goes_to_the_moderators(harness: Harness) -> None:
    desk, sender = await held_world(harness)
    await harness.say("boss", "/approval off")
    await harness.say("ann", "/comment rude words")
    for who in ("bob", "cat", "dan"):
        await harness.say(who, "/report #1 rude")
    await sender.send_due()
    (card,) = desk.in_chat("test:boss")
    assert "reported 3 times" in words(card)


async def test_a_rejected_author_appeals_once_and_an_accepted_appeal_restores_the_comment(harness: Harness) -> None:
    desk, sender = await held_world(harness)
    await harness.say("ann", "/comment quoting the article")
    await harness.say("boss", "/reject #1 looks like spam")
    await sender.send_due()
    (told,) = desk.in_chat("test:ann")
    assert "did not publish your comment #1" in words(told) and "looks like spam" in words(told)
    assert "Say why" in await harness.say("ann", "/appeal", "test:ann", private=True)
    assert "went to the moderators" in await harness.say("ann", "/appeal I was quoting the article", "test:ann",
                                                         private=True)
    assert "already appealed" in await harness.say("ann", "/appeal please", "test:ann", private=True)
    assert "no moderators' decision" in await harness.say("bob", "/appeal me too")
    await sender.send_due()
    card = desk.in_chat("test:sue")[-1]
    assert "appeals against the rejection of #1" in words(card) and "I was quoting the article" in words(card)
    assert "looks like spam" in words(card)
    pending = await harness.say("sue", "/pending")
    assert "An appeal by Ann" in pending
    assert "Appeal accepted" in text_of(await harness.press("sue", desk.button("test:sue", "acc"), "test:sue",
                                                            private=True))
    assert (await harness.store.comment("test:group", 1)).status is Status.VISIBLE  # type: ignore[union-attr]
    await sender.send_due()
    assert "Appeal accepted by Sue" in words(desk.in_chat("test:boss")[-1])
    assert "accepted your appeal: #1 is visible again" in words(desk.in_chat("test:ann")[-1])
    assert "visible again after an appeal" in words(desk.in_chat("test:group")[-1])
    log = await harness.say("boss", "/modlog 10")
    for step in ("reject #1", "appeal #1", "restore #1", "appeal accepted #1"):
        assert step in log


async def test_a_banned_person_appeals_in_the_chat_and_the_ban_is_upheld(harness: Harness) -> None:
    desk, sender = await held_world(harness)
    await harness.say("cat", "/comment flood")
    await harness.say("boss", "/ban cat 2h flooding")
    await sender.send_due()
    (told,) = desk.in_chat("test:cat")
    assert "banned you from commenting until" in words(told) and "flooding" in words(told)
    assert "went to the moderators" in await harness.say("cat", "/appeal it was one message")
    await sender.send_due()
    card = desk.in_chat("test:boss")[-1]
    assert "appeals against their ban" in words(card)
    assert "Decision upheld" in text_of(await harness.press("boss", desk.button("test:boss", "up"), "test:boss",
                                                            private=True))
    assert "banned" in await harness.say("cat", "/comment still here?")
    await sender.send_due()
    assert "kept their decision" in words(desk.in_chat("test:cat")[-1])
    assert "appeal upheld" in await harness.say("boss", "/modlog")


async def test_an_accepted_ban_appeal_lifts_the_ban(harness: Harness) -> None:
    desk, sender = await held_world(harness)
    await harness.say("cat", "/sections")
    await harness.say("boss", "/ban cat")
    assert "went to the moderators" in await harness.say("cat", "/appeal sorry", "test:cat", private=True)
    await sender.send_due()
    await harness.press("boss", desk.button("test:boss", "acc"), "test:boss", private=True)
    assert "waiting for a moderator" in await harness.say("cat", "/comment thank you")  # not banned now
    await sender.send_due()
    assert "you can comment there again" in words(desk.in_chat("test:cat")[-1])


async def test_the_queue_is_sent_in_the_moderators_language(harness: Harness) -> None:
    desk, sender = await held_world(harness)
    await harness.say("sue", "/language zh", "test:sue", private=True)
    await harness.say("ann", "/comment hello")
    await sender.send_due()
    assert "等待审核" in words(desk.in_chat("test:sue")[0])
    assert "Waiting for review" in words(desk.in_chat("test:boss")[0])


# ---- through the real adapters ------------------------------------------------------------------------


def tg_keyboard(message: dict[str, Any]) -> dict[str, str]:
    markup = message.get("reply_markup") or {}
    return {b["text"]: b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row}


async def test_telegram_a_held_comment_is_approved_from_a_moderators_private_chat_with_one_press(
        tmp_path: Path) -> None:
    ann, mod1, mod2 = 101, 201, 202
    async with telegram_rig(tmp_path) as rig:
        rig.fake.set_admins(GROUP, [mod1, mod2])
        sender = ModQueueSender(rig.adapter.core.services, AnnouncementRouter(lambda: [rig.adapter]), "t")
        for mod in (mod1, mod2):
            await rig.say(mod, "/start", chat=mod, chat_type="private")
            assert "private message" in texts(await rig.say(mod, "/modqueue dm"))
        await rig.say(mod1, "/approval on")
        await rig.say(ann, "/comment the night trams are late")
        assert await sender.send_due() == 1
        cards = {mod: rig.fake.sent_messages(mod)[-1] for mod in (mod1, mod2)}
        for card in cards.values():
            assert "the night trams are late" in texts([card])
            assert set(tg_keyboard(card.result)) == {"✅ Approve", "❌ Reject", "⛔ Ban User101"}
        pressed = await rig.press(mod1, tg_keyboard(cards[mod1].result)["✅ Approve"], cards[mod1].result, chat=mod1)
        toast = next(c for c in pressed if c.method == "answerCallbackQuery")
        assert toast.params["text"] == "✅ Approved #1."
        assert await sender.send_due() == 1
        for mod, card in cards.items():  # every moderator's copy now says who approved it, without buttons
            edit = next(c for c in reversed(rig.fake.calls) if c.method == "editMessageText" and c.ok
                        and str(c.params["chat_id"]) == str(mod))
            assert edit.params["message_id"] == card.result["message_id"]
            assert "Approved by User201" in texts([edit]) and "reply_markup" not in edit.params
        shown = texts(rig.fake.sent_messages(GROUP)[-1:])
        assert "#1 by User101 was approved" in shown and "the night trams are late" in shown
        comment = await rig.store.comment(f"telegram:{GROUP}", 1)
        assert comment is not None and comment.status is Status.VISIBLE


async def test_telegram_a_moderator_unreachable_during_an_outage_gets_the_card_once_it_ends(tmp_path: Path) -> None:
    ann, mod1, mod2 = 101, 201, 202
    clock = FakeClock()
    async with telegram_rig(tmp_path, clock=clock) as rig:
        rig.fake.set_admins(GROUP, [mod1, mod2])
        sender = ModQueueSender(rig.adapter.core.services, AnnouncementRouter(lambda: [rig.adapter]), "t")
        for mod in (mod1, mod2):
            await rig.say(mod, "/start", chat=mod, chat_type="private")
            await rig.say(mod, "/modqueue dm")
        await rig.say(mod1, "/approval on")
        await rig.say(ann, "/comment buses at dawn")

        def cards(mod: int) -> int:
            return sum("buses at dawn" in texts([m]) for m in rig.fake.sent_messages(mod))

        # Bad Gateway for every try of the first card: the adapter's own retries run out
        rig.fake.fail_next("sendMessage", status=502, times=SEND_ATTEMPTS)
        assert await sender.send_due() == 0
        assert sorted([cards(mod1), cards(mod2)]) == [0, 1]
        clock.advance(HOLD_SECONDS + 1)
        assert await sender.send_due() == 1
        assert cards(mod1) == 1 and cards(mod2) == 1
        clock.advance(HOLD_SECONDS + 1)
        assert await sender.send_due() == 0 and cards(mod1) == 1 and cards(mod2) == 1


async def test_discord_a_moderator_unreachable_for_now_gets_the_card_later(tmp_path: Path) -> None:
    clock = FakeClock()
    async with discord_world(tmp_path, clock=clock) as world:
        sender = ModQueueSender(world.core.services, AnnouncementRouter(lambda: [world.adapter]), "d")
        for mod in (MOD, ADMIN):
            await world.slash("modqueue", [{"name": "where", "value": "dm"}], user=mod)
        await world.slash("approval", [{"name": "state", "value": "on"}], user=ADMIN)
        await world.slash("comment", [{"name": "text", "value": "cycle lanes at night"}], user=PLAIN)

        def cards() -> int:
            return sum(1 for c in world.fake.calls if c.method == "POST" and c.path.endswith("/messages")
                       and c.status == 200 and "cycle lanes at night" in str(c.json_body))

        # Service Unavailable (which discord.py does not retry): once opening a DM, once sending into one
        world.fake.fail_next("POST", "/users/@me/channels", status=503, message="Service Unavailable", code=0)
        assert await sender.send_due() == 0 and cards() == 1
        clock.advance(HOLD_SECONDS + 1)
        world.fake.fail_next("POST", "/messages", status=503, message="Service Unavailable", code=0)
        assert await sender.send_due() == 0 and cards() == 1
        clock.advance(HOLD_SECONDS + 1)
        assert await sender.send_due() == 1 and cards() == 2
        await world.adapter.stop()  # not connected: a card waits rather than being dropped
        with pytest.raises(PlatformUnreachable):
            await world.adapter.announce(f"discord:{GENERAL}", text_reply("hello"))


async def test_discord_a_held_comment_is_approved_from_a_direct_message_and_every_copy_updated(
        tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        router = AnnouncementRouter(lambda: [world.adapter])
        sender = ModQueueSender(world.core.services, router, "d")
        for mod in (MOD, ADMIN):
            await world.slash("modqueue", [{"name": "where", "value": "dm"}], user=mod)
        await world.slash("approval", [{"name": "state", "value": "on"}], user=ADMIN)
        await world.slash("comment", [{"name": "text", "value": "cycle lanes please"}], user=PLAIN)
        mark = len(world.fake.calls)
        assert await sender.send_due() == 1
        cards = [c for c in world.fake.calls[mark:] if c.method == "POST" and c.path.endswith("/messages")
                 and "cycle lanes please" in str(c.json_body)]
        assert len(cards) == 2 and all(f"/channels/{GENERAL}/" not in c.path for c in cards)
        card = cards[0]
        assert card.json_body["allowed_mentions"] == {"parse": []}
        buttons = {b["label"]: b["custom_id"] for row in card.json_body["components"] for b in row["components"]}
        dm_channel = int(card.path.split("/")[2])
        presser = next(m for m in (MOD, ADMIN) if opened_for(world, dm_channel) == m)
        pressed = await world.interact(world.fake.component_interaction(
            buttons["✅ Approve"], presser, dm_channel, int(card.response["id"]), guild_id=None))
        (answer,) = [c.json_body["data"] for c in pressed]
        assert answer["content"] == "✅ Approved \\#1." and answer["flags"] == 64  # only the presser sees it
        mark = len(world.fake.calls)
        assert await sender.send_due() == 1
        edits = [c for c in world.fake.calls[mark:] if c.method == "PATCH"]
        assert sorted(c.path for c in edits) == sorted(f"{c.path}/{c.response['id']}" for c in cards)
        assert all("Approved by" in c.json_body["content"] and c.json_body["components"] == [] for c in edits)
        posted = [c for c in world.fake.calls[mark:]
                  if c.method == "POST" and c.path == f"/channels/{GENERAL}/messages"]
        assert len(posted) == 1 and "cycle lanes please" in posted[0].json_body["content"]
        assert (await world.comments())[0].status is Status.VISIBLE


def opened_for(world: Any, channel_id: int) -> int:
    """Whose direct-message channel this is, from the bot's request that opened it."""
    opened = [c for c in world.fake.calls if c.method == "POST" and c.path == "/users/@me/channels"]
    return next(int(c.json_body["recipient_id"]) for c in opened if int(c.response["id"]) == channel_id)


async def test_telegram_a_banned_member_appeals_privately_and_a_moderator_accepts_it(tmp_path: Path) -> None:
    cat, mod = 103, 201
    async with telegram_rig(tmp_path) as rig:
        rig.fake.set_admins(GROUP, [mod])
        sender = ModQueueSender(rig.adapter.core.services, AnnouncementRouter(lambda: [rig.adapter]), "t")
        for person in (cat, mod):
            await rig.say(person, "/start", chat=person, chat_type="private")
        await rig.say(mod, "/modqueue dm")
        await rig.say(cat, "/comment first!")
        await rig.say(mod, "/ban", reply_to=rig.fake.message_update(GROUP, cat, "x")["message"])
        await sender.send_due()
        assert "banned you from commenting" in texts(rig.fake.sent_messages(cat)[-1:])  # told privately
        appealed = await rig.say(cat, "/appeal I was only saying hello", chat=cat, chat_type="private")
        assert "went to the moderators" in texts(appealed)
        await sender.send_due()
        card = rig.fake.sent_messages(mod)[-1]
        assert "appeals against their ban" in texts([card]) and "I was only saying hello" in texts([card])
        pressed = await rig.press(mod, tg_keyboard(card.result)["✅ Accept"], card.result, chat=mod)
        assert next(c for c in pressed if c.method == "answerCallbackQuery").params["text"] == "✅ Appeal accepted."
        await sender.send_due()
        assert "you can comment there again" in texts(rig.fake.sent_messages(cat)[-1:])
        assert "Saved as #2" in texts(await rig.say(cat, "/comment thank you"))
        modlog = texts(await rig.say(mod, "/modlog"))
        assert "appeal accepted" in modlog and "unban" in modlog


async def test_a_comment_held_in_a_linked_room_is_shown_there_once_approved(harness: Harness) -> None:
    from tests.test_rooms import HOME, OTHER, linked

    await linked(harness)
    desk, sender = await held_world(harness)
    assert "waiting for a moderator" in await harness.say("ann", "/comment from the joined room", OTHER)
    await sender.send_due()
    await harness.press("boss", desk.button("test:boss", "ok"), "test:boss", private=True)
    await sender.send_due()
    (shown,) = desk.in_chat(OTHER)  # where Ann wrote it, not the home room
    assert "#1 by Ann was approved" in words(shown) and "from the joined room" in words(shown)
    assert desk.in_chat(HOME) == []
