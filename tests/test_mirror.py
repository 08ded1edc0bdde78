"""Mirroring on both stores: a room with /mirror on is shown the other linked rooms' new comments (never its
own), one message each or several to a message when they come faster than a chat may be written to; copies
follow edits and removals; two processes never post the same comment twice."""

from __future__ import annotations

import asyncio
import re

from bot.mirror import GAP_SECONDS, GIVE_UP_AFTER, MirrorSender
from bot.types import Reply, Sent
from tests.support import Harness
from tests.test_modqueue import Desk, Flaky, words
from tests.test_rooms import HOME, OTHER, linked


async def mirroring(h: Harness) -> tuple[Desk, MirrorSender]:
    await linked(h)
    assert "From now on" in await h.say("sue", "/mirror on", OTHER)
    desk = Desk()
    return desk, MirrorSender(h.core.services, desk, "test-process")


def shown(desk: Desk, chat: str) -> list[str]:
    return [words(reply) for reply in desk.in_chat(chat)]


async def test_a_mirroring_room_gets_the_other_rooms_comments_and_never_its_own(harness: Harness) -> None:
    h = harness
    await linked(h)
    await h.say("ann", "/comment written before mirroring began", HOME)
    assert "From now on" in await h.say("sue", "/mirror on", OTHER)
    desk = Desk()
    sender = MirrorSender(h.core.services, desk, "p")
    await h.say("ann", "/section 2", HOME)
    assert "Saved as #2" in await h.say("ann", "/comment written in the home room", HOME)
    assert "Saved as #3" in await h.say("bob", "/comment written in the mirroring room", OTHER)
    await sender.send_due()
    copies = shown(desk, OTHER)
    assert len(copies) == 1
    assert "#2" in copies[0] and "Ann" in copies[0] and "written in the home room" in copies[0]
    assert "§2" in copies[0]  # where it was written
    assert "before mirroring" not in copies[0] and "mirroring room" not in copies[0]
    assert desk.in_chat(HOME) == []  # the home room did not ask
    only: Reply = desk.in_chat(OTHER)[0]
    assert only.anchor is not None and only.anchor.comment_number == 2  # a reply to the copy replies to #2
    await sender.send_due()
    h.clock.advance(GAP_SECONDS)
    await sender.send_due()
    assert len(desk.in_chat(OTHER)) == 1  # nothing twice


async def test_busy_moments_are_batched_and_paced(harness: Harness) -> None:
    h = harness
    desk, sender = await mirroring(h)
    for i in range(3):
        await h.say(f"u{i}", f"/comment first wave {i}", HOME)
    await sender.send_due()
    for i in range(4):
        await h.say(f"v{i}", f"/comment second wave {i}", HOME)
    await sender.send_due()
    assert len(shown(desk, OTHER)) == 1  # within the gap: nothing more yet
    h.clock.advance(GAP_SECONDS)
    await sender.send_due()
    copies = shown(desk, OTHER)
    assert len(copies) == 2
    assert all(f"first wave {i}" in copies[0] for i in range(3))
    assert all(f"second wave {i}" in copies[1] for i in range(4))
    assert desk.in_chat(OTHER)[1].anchor is None  # a batch answers no single comment


async def test_copies_follow_edits_and_removals(harness: Harness) -> None:
    h = harness
    desk, sender = await mirroring(h)
    await h.say("ann", "/comment the first words", HOME)
    await h.say("cat", "/comment stays as it is", HOME)
    await sender.send_due()
    assert "the first words" in shown(desk, OTHER)[0]
    await h.say("ann", "/edit #1 the second words", HOME)
    await sender.send_due()
    assert "the second words" in shown(desk, OTHER)[0] and "edited" in shown(desk, OTHER)[0]
    assert "Removed #1" in await h.say("boss", "/remove #1 off topic", HOME)
    await sender.send_due()
    copy = shown(desk, OTHER)[0]
    assert "#1 was removed by a moderator" in copy and "second words" not in copy
    assert "stays as it is" in copy and len(shown(desk, OTHER)) == 1


async def test_two_processes_never_post_one_comment_twice(harness: Harness) -> None:
    h = harness
    desk, _sender = await mirroring(h)
    await h.say("ann", "/comment once only", HOME)
    senders = [MirrorSender(h.core.services, desk, f"process-{i}") for i in range(3)]
    await asyncio.gather(*(s.send_due() for s in senders))
    h.clock.advance(GAP_SECONDS)
    await asyncio.gather(*(s.send_due() for s in senders))
    assert len(shown(desk, OTHER)) == 1


async def test_mirror_is_for_admins_of_linked_rooms(harness: Harness) -> None:
    h = harness
    h.admin("boss", HOME)
    assert "Only admins" in await h.say("ann", "/mirror on", HOME)
    assert "no other room" in await h.say("boss", "/mirror on", HOME)
    await linked(h)
    assert "not posted here" in await h.say("boss", "/mirror", HOME)
    assert "From now on" in await h.say("boss", "/mirror on", HOME)  # the home room may mirror the others too
    assert "on already" in await h.say("boss", "/mirror on", HOME)
    assert "as they come" in await h.say("boss", "/mirror", HOME)
    assert "no longer posted" in await h.say("boss", "/mirror off", HOME)
    assert "mirror on" in await h.say("boss", "/mirror of", HOME)
    assert "mirror" in await h.say("boss", "/modlog", HOME)




async def test_a_held_comment_is_mirrored_once_approved(harness: Harness) -> None:
    h = harness
    desk, sender = await mirroring(h)
    await h.say("boss", "/approval on", HOME)
    assert "#1" in await h.say("ann", "/comment waits for a moderator", HOME)
    await sender.send_due()
    assert shown(desk, OTHER) == []  # held: nothing to show yet
    h.clock.advance(GAP_SECONDS)
    await h.say("sue", "/approve #1", OTHER)
    await sender.send_due()
    assert len(shown(desk, OTHER)) == 1 and "waits for a moderator" in shown(desk, OTHER)[0]


async def test_copies_speak_the_discussions_language(harness: Harness) -> None:
    h = harness
    desk, sender = await mirroring(h)
    await h.say("sue", "/language chat zh", OTHER)  # one discussion, one set of settings: both rooms
    await h.say("ann", "/comment a comment to be removed", HOME)
    await sender.send_due()
    await h.say("boss", "/remove #1", HOME)
    await sender.send_due()
    assert "#1 已被管理员移除。" in shown(desk, OTHER)[0]


class Refusing(Desk):
    """A platform where the bot was removed from the mirroring room: nothing can be sent there."""

    async def announce(self, chat_key: str, reply: Reply) -> Sent | None:
        return None if chat_key == OTHER else await super().announce(chat_key, reply)


async def test_a_room_that_refuses_every_copy_stops_being_mirrored_into(harness: Harness) -> None:
    h = harness
    await mirroring(h)
    sender = MirrorSender(h.core.services, Refusing(), "p")
    for i in range(GIVE_UP_AFTER):
        assert await h.store.mirror_on(OTHER)
        await h.say("ann", f"/comment number {i}", HOME)
        await sender.send_due()
        h.clock.advance(GAP_SECONDS)
    assert not await h.store.mirror_on(OTHER)
    assert "refused 20 messages in a row" in await h.say("boss", "/modlog", HOME)


async def test_comments_the_platform_could_not_take_are_mirrored_once_it_can(harness: Harness) -> None:
    h = harness
    await mirroring(h)
    flaky = Flaky()
    sender = MirrorSender(h.core.services, flaky, "p")
    flaky.down = {OTHER}
    for i in range(GIVE_UP_AFTER + 2):  # an outage is not a refusal: mirroring stays on however long it lasts
        await h.say("ann", f"/comment during the outage {i}", HOME)
        await sender.send_due()
        h.clock.advance(GAP_SECONDS)
    assert await h.store.mirror_on(OTHER) and flaky.order == []
    flaky.down = set()
    for _ in range(4):
        await sender.send_due()
        h.clock.advance(GAP_SECONDS)
    copies = shown(flaky, OTHER)
    said = "\n".join(copies)
    for i in range(GIVE_UP_AFTER + 2):  # every one, once
        assert len(re.findall(rf"during the outage {i}(?!\d)", said)) == 1
