"""/subscribe: one private message for what was said since the last, at most one a minute, never about one's own
comments; a person the bot may not write to first is told once, in the chat, how to open it. On both stores, and
on Telegram through the real adapter (which refuses to write to someone who never opened the bot)."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from adapters.feedloop import AnnouncementRouter
from bot.digests import DigestSender
from bot.ports import PlatformUnreachable
from bot.types import Paragraph, Reply, Sent, plain_text
from tests.discord_harness import GENERAL, MOD, PLAIN, discord_world
from tests.support import FakeClock, Harness
from tests.telegram_harness import GROUP, telegram_rig, texts


def words(reply: Reply) -> str:
    return "\n".join(plain_text(b) for b in reply.blocks)


class Mailbox:
    """An Announcer that keeps what it is asked to say; people in `reachable` can be written to first."""

    def __init__(self, reachable: set[str]) -> None:
        self.reachable = reachable
        self.down = False  # the platform cannot be reached for now
        self.public: list[tuple[str, Reply]] = []
        self.private: list[tuple[str, Reply]] = []

    async def announce(self, chat_key: str, reply: Reply) -> Sent | None:
        self.public.append((chat_key, reply))
        return Sent(chat_key, str(len(self.public)))

    async def announce_privately(self, user_key: str, reply: Reply) -> Sent | None:
        if self.down:
            raise PlatformUnreachable(user_key)
        if user_key not in self.reachable:
            return None
        self.private.append((user_key, reply))
        return Sent(user_key, str(len(self.private)))

    async def edit(self, sent: Sent, reply: Reply) -> bool:
        return False

    def start_link(self, user_key: str) -> str | None:
        return "https://t.me/articlebot_test_bot?start=subscribe"


async def test_comments_are_batched_into_one_private_message_a_minute(harness: Harness) -> None:
    box = Mailbox({"test:ann", "test:bob"})
    sender = DigestSender(harness.core.services, box)
    assert "private message about new comments on §2 Cost of Living" in await harness.say("ann", "/subscribe 2")
    await harness.say("bob", "/section 2")
    for i in range(10):
        await harness.say("bob", f"/comment point {i}")
    await harness.say("ann", "/comment my own point")  # never sent back to its author
    await harness.say("cat", "/section 1")
    await harness.say("cat", "/comment elsewhere")  # another section: not subscribed
    assert await sender.send_due() == 1
    (who, reply), = box.private
    said = words(reply)
    assert who == "test:ann" and "10 new comments" in said and "point 0" in said and "point 9" in said
    assert "my own point" not in said and "elsewhere" not in said
    await harness.say("bob", "/comment one more")
    assert await sender.send_due() == 0  # within the minute: it waits
    harness.clock.advance(61)
    assert await sender.send_due() == 1 and "1 new comment" in words(box.private[-1][1])
    assert "Stopped 1 subscription" in await harness.say("ann", "/unsubscribe")
    await harness.say("bob", "/comment after unsubscribing")
    harness.clock.advance(61)
    assert await sender.send_due() == 0


async def test_someone_the_bot_cannot_write_to_is_told_once_how_to_open_it(harness: Harness) -> None:
    box = Mailbox(set())
    sender = DigestSender(harness.core.services, box)
    await harness.say("dan", "/subscribe")
    await harness.say("bob", "/comment hello")
    assert await sender.send_due() == 0
    (chat, notice), = box.public
    assert chat == "test:group" and "I can't write to Dan first" in words(notice) and "t.me/" in words(notice)
    await harness.say("bob", "/comment again")
    harness.clock.advance(61)
    await sender.send_due()
    assert len(box.public) == 1  # once
    assert "Name one section" in await harness.say("dan", "/subscribe 99")


async def test_a_digest_the_platform_could_not_take_is_sent_once_it_can(harness: Harness) -> None:
    box = Mailbox({"test:ann"})
    sender = DigestSender(harness.core.services, box)
    await harness.say("ann", "/subscribe")
    await harness.say("bob", "/comment said during an outage")
    box.down = True
    assert await sender.send_due() == 0
    assert box.public == []  # not taken for someone the bot cannot write to
    box.down = False
    assert await sender.send_due() == 0  # queued again, for after the usual minute
    harness.clock.advance(61)
    assert await sender.send_due() == 1
    (who, reply), = box.private
    assert who == "test:ann" and "said during an outage" in words(reply)


async def test_telegram_a_digest_reaches_the_private_chat_once_it_is_open(tmp_path: Path) -> None:
    ann, bob = 101, 102
    async with telegram_rig(tmp_path) as rig:
        sender = DigestSender(rig.adapter.core.services, AnnouncementRouter(lambda: [rig.adapter]))
        await rig.say(ann, "/subscribe")
        await rig.say(bob, "/comment where is everyone")
        await sender.send_due()
        told = texts(rig.fake.sent_messages(GROUP)[-1:])
        assert "I can't write to" in told and "t.me/" in told and "start=subscribe" in told
        await rig.say(ann, "/start subscribe", chat=ann, chat_type="private")  # she opens the private chat
        await rig.say(ann, "/subscribe")  # and subscribes again: worth a new try
        await rig.say(bob, "/comment now she will hear")
        later = DigestSender(replace(rig.adapter.core.services, clock=FakeClock(time.time() + 61)),
                             AnnouncementRouter(lambda: [rig.adapter]))  # a minute after the last attempt
        assert await later.send_due() == 1
        assert "now she will hear" in texts(rig.fake.sent_messages(ann))


async def test_discord_a_digest_arrives_as_a_direct_message_and_an_announcement_in_the_channel(
        tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        router = AnnouncementRouter(lambda: [world.adapter])
        await world.slash("subscribe", user=MOD)
        await world.slash("comment", [{"name": "text", "value": "trams at night"}], user=PLAIN)
        assert await DigestSender(world.core.services, router).send_due() == 1
        opened = next(c for c in world.fake.calls if c.method == "POST" and c.path == "/users/@me/channels")
        assert int(opened.json_body["recipient_id"]) == MOD
        dm = [c for c in world.fake.calls if c.method == "POST" and c.path.endswith("/messages")
              and "trams at night" in str(c.json_body) and f"/channels/{GENERAL}/" not in c.path]
        assert len(dm) == 1 and "1 new comment" in dm[0].json_body["content"]
        assert dm[0].json_body["allowed_mentions"] == {"parse": []}
        said = await router.announce(f"discord:{GENERAL}", Reply((Paragraph.of("📰 New in “Bakery news”:"),)))
        assert said and any(c.path == f"/channels/{GENERAL}/messages" and "Bakery news" in str(c.json_body)
                            for c in world.fake.calls)
