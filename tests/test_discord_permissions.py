"""The permission matrix through the real Discord adapter: admin status comes from channel permissions.

Three chats: #general and #reading in one server, #elsewhere in a second server. Each has its own
moderator: a member overwrite granting Manage Messages in that channel only, or the Administrator role of
the second server. Members and moderators of another chat are refused every admin command (by slash
command and by `!` text command) and nothing stored changes; the moderator here and the bot owner may
act, and what they do touches no other chat. Button payloads are checked again when pressed, in the
chat where they are pressed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.commands import REGISTRY
from bot.commands.registry import CommandSpec, ParamKind
from bot.records import Status
from tests.discord_harness import (
    BOT,
    EPHEMERAL,
    GENERAL,
    GUILD,
    READING,
    World,
    buttons,
    discord_world,
    flags,
    plain,
    with_attachment,
)
from tests.fakes.discord_payloads import ADMINISTRATOR, MANAGE_MESSAGES, OVERWRITE_MEMBER
from tests.fakes.discord_rest import Call
from tests.test_permission_matrix import CHAT_COLUMN, snapshot

GUILD2, ELSEWHERE, ADMIN_ROLE2 = 2100, 3101, 4102
MEMBER, MOD_GENERAL, MOD_READING, ADMIN_G2, OWNER = 5001, 5101, 5102, 6001, 5999
ADMIN_COMMANDS = [spec for spec in REGISTRY.all() if spec.admin]
ARTICLE_MD = b"# Night Trains\n\nWhy sleeper trains are back.\n\n## Comfort\n\nBeds.\n\n## Cost\n\nCheap.\n"


@dataclass(frozen=True)
class Place:
    channel: int
    guild: int
    moderator: int

    @property
    def key(self) -> str:
        return f"discord:{self.channel}"


PLACES = (Place(GENERAL, GUILD, MOD_GENERAL), Place(READING, GUILD, MOD_READING), Place(ELSEWHERE, GUILD2, ADMIN_G2))


async def three_chats(world: World) -> None:
    """Adds the per-channel moderators and a second server (which the bot joins, as Discord tells it)."""
    fake, state = world.fake, world.fake.state
    for user, name in ((MOD_GENERAL, "modgeneral"), (MOD_READING, "modreading"), (ADMIN_G2, "admin2"),
                       (OWNER, "owner")):
        await fake.add_member(user, name)
    await fake.set_overwrite(GENERAL, MOD_GENERAL, allow=MANAGE_MESSAGES, type=OVERWRITE_MEMBER)
    await fake.set_overwrite(READING, MOD_READING, allow=MANAGE_MESSAGES, type=OVERWRITE_MEMBER)
    state.add_guild(GUILD2, "Second Guild", owner_id=6100)
    state.add_role(ADMIN_ROLE2, "Admin", ADMINISTRATOR, guild_id=GUILD2)
    state.add_channel(ELSEWHERE, "elsewhere", guild_id=GUILD2)
    for user, roles in ((BOT, []), (6100, []), (MEMBER, []), (MOD_GENERAL, []), (MOD_READING, []),
                        (ADMIN_G2, [ADMIN_ROLE2]), (OWNER, [])):
        state.add_member(user, roles=roles, guild_id=GUILD2)
    await fake.dispatch("GUILD_CREATE", state.guild_create_payload(GUILD2))
    # events are handled in order: once this is answered, the client knows the second server
    assert "Cost of Living" in plain(await world.slash("sections", [], MEMBER, ELSEWHERE, guild_id=GUILD2))
    assert world.adapter.client is not None and world.adapter.client.get_guild(GUILD2) is not None


def slash_options(spec: CommandSpec, example: str) -> list[dict[str, Any]]:
    """The options Discord would send for `/name example` (the last TEXT param takes the rest)."""
    words = example.split()
    options: list[dict[str, Any]] = []
    for index, param in enumerate(spec.params):
        if not words:
            break
        if param.kind is ParamKind.USER:
            words.pop(0)
            options.append({"name": param.name, "value": MEMBER, "type": 6})
        elif param.kind is ParamKind.TEXT and index == len(spec.params) - 1:
            options.append({"name": param.name, "value": " ".join(words)})
            words = []
        else:
            options.append({"name": param.name, "value": words.pop(0)})
    return options


async def run_slash(world: World, spec: CommandSpec, user: int, place: Place) -> list[Call]:
    payload = world.fake.slash_interaction(spec.name, slash_options(spec, spec.example), user, place.channel,
                                           guild_id=place.guild)
    if spec.name == "import":
        payload["data"]["options"].append({"name": "file", "value": "0", "type": 11})
        payload = with_attachment(world.fake, payload, "file", "trains.md", ARTICLE_MD)
    return await world.interact(payload)


async def run_text(world: World, spec: CommandSpec, user: int, place: Place) -> list[Call]:
    names_user = any(p.kind is ParamKind.USER for p in spec.params)
    example = spec.example.replace("member", f"<@{MEMBER}>", 1) if names_user else spec.example
    extra: dict[str, Any] = {"attachments": [("trains.md", ARTICLE_MD)]} if spec.name == "import" else {}
    return await world.say(f"!{spec.name} {example}".strip(), user, place.channel, **extra)


def others(table: dict[str, list[tuple[object, ...]]], place: Place) -> dict[str, list[tuple[object, ...]]]:
    return {t: [r for r in table[t] if r[c] != place.key] for t, c in CHAT_COLUMN.items()}


async def seed(world: World) -> None:
    for place in PLACES:
        for user, text in ((MEMBER, "a comment to act on"), (OWNER, "another one")):
            await world.slash("comment", [{"name": "text", "value": text}], user, place.channel, guild_id=place.guild)


async def test_every_admin_command_by_role_channel_and_server(tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    async with discord_world(tmp_path, owners=frozenset({f"discord:{OWNER}"})) as world:
        await three_chats(world)
        await seed(world)
        lookups = len(world.fake.calls_to("/members/"))
        checked = 0
        for spec in ADMIN_COMMANDS:
            for place in PLACES:
                strangers = [MEMBER, *(p.moderator for p in PLACES if p != place)]
                for how, run in (("slash", run_slash), ("text", run_text)):
                    for who in strangers:
                        before = snapshot(db)
                        calls = await run(world, spec, who, place)
                        answer = plain(calls)
                        assert answer.startswith("Only admins can"), (spec.name, how, who, place, answer)
                        if how == "slash":
                            assert flags(calls) == [EPHEMERAL], (spec.name, who, place)
                        assert snapshot(db) == before, (spec.name, how, who, place)
                        checked += 1
                    for who in (place.moderator, OWNER):
                        before = snapshot(db)
                        answer = plain(await run(world, spec, who, place))
                        assert answer and "Only admins" not in answer, (spec.name, how, who, place, answer)
                        assert others(snapshot(db), place) == others(before, place), (spec.name, how, who, place)
                        checked += 1
        assert checked == len(ADMIN_COMMANDS) * len(PLACES) * 2 * 5
        # who moderates came with each event (interaction permissions, cached channel overwrites): no lookups
        assert len(world.fake.calls_to("/members/")) == lookups == 0


# ---- buttons ----------------------------------------------------------------------------------------


async def approval_queue(world: World, places: Sequence[Place]) -> None:
    """Approval on in each place, and one comment by the member waiting there as #1."""
    for place in places:
        on = await world.slash("approval", [{"name": "state", "value": "on"}], place.moderator, place.channel,
                               guild_id=place.guild)
        assert "Only admins" not in plain(on)
        await world.slash("comment", [{"name": "text", "value": f"waiting in {place.channel}"}], MEMBER,
                          place.channel, guild_id=place.guild)
        assert await statuses(world, place) == [Status.PENDING]


async def statuses(world: World, place: Place) -> list[Status]:
    comments = [await world.store.comment(place.key, n) for n in (1, 2)]
    return [c.status for c in comments if c is not None]


async def pending_list(world: World, place: Place) -> tuple[int, str]:
    """The moderator's /pending answer: its message id and the custom_id of its Approve #1 button."""
    calls = await world.slash("pending", [], place.moderator, place.channel, guild_id=place.guild)
    approve = next(b["custom_id"] for b in buttons(calls) if "Approve #1" in b["label"])
    return world.original(calls), str(approve)


def bot_message_with(world: World, place: Place, custom_id: str) -> int:
    """A message by the bot in `place` carrying a button with `custom_id` (as if copied there)."""
    row = {"type": 1, "components": [{"type": 2, "style": 2, "label": "✅ Approve #1", "custom_id": custom_id}]}
    return int(world.fake.state.store_message(place.channel, BOT, "waiting", components=[row])["id"])


async def press(world: World, custom_id: str, message_id: int, user: int, place: Place) -> list[Call]:
    payload = world.fake.component_interaction(custom_id, user, place.channel, message_id, guild_id=place.guild)
    return await world.interact(payload)


async def test_an_approve_button_pressed_by_a_member_is_refused(tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        await three_chats(world)
        general = PLACES[0]
        await approval_queue(world, [general])
        message_id, approve = await pending_list(world, general)
        assert approve == "ab:ok:1"
        before = snapshot(tmp_path / "d.db")
        refused = await press(world, approve, message_id, MEMBER, general)
        assert flags(refused) == [EPHEMERAL] and "Only admins can approve" in plain(refused)
        assert snapshot(tmp_path / "d.db") == before
        done = await press(world, approve, message_id, MOD_GENERAL, general)
        assert "Approved #1" in plain(done)
        assert await statuses(world, general) == [Status.VISIBLE]


async def test_forged_button_payloads_do_nothing_a_member_may_not_do(tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        await three_chats(world)
        general = PLACES[0]
        await approval_queue(world, [general])
        shown = await world.slash("section", [{"name": "section", "value": "2"}], MEMBER)
        db = tmp_path / "d.db"
        before = snapshot(db)
        # an approve custom_id pressed on a message that does not carry it
        answer = await press(world, "ab:ok:1", world.original(shown), MEMBER, general)
        assert flags(answer) == [EPHEMERAL] and "no longer valid" in plain(answer)
        # on a bot message that does carry it: decoded, and refused as any member's approve is
        forged = await press(world, "ab:ok:1", bot_message_with(world, general, "ab:ok:1"), MEMBER, general)
        assert flags(forged) == [EPHEMERAL] and "Only admins can approve" in plain(forged)
        # malformed payloads are stale buttons, whoever presses them
        for custom_id in ("ab:ok:1:2", "ab:ok:-1", "ab:ok:1e3", "ab:ok:١", "ab:ok:" + "9" * 13, "ab:zz:1",
                          "ab:ok:1\x00", "ab:" + "x" * 97, "ab:"):
            for who in (MEMBER, MOD_GENERAL):
                answer = await press(world, custom_id, bot_message_with(world, general, custom_id), who, general)
                assert flags(answer) == [EPHEMERAL] and "no longer valid" in plain(answer), (custom_id, who)
        assert snapshot(db) == before
        assert await statuses(world, general) == [Status.PENDING]


async def test_a_button_names_a_number_never_a_chat(tmp_path: Path) -> None:
    async with discord_world(tmp_path) as world:
        await three_chats(world)
        general, reading, elsewhere = PLACES
        await approval_queue(world, PLACES)
        message_id, approve = await pending_list(world, general)
        db = tmp_path / "d.db"
        before = snapshot(db)
        # #general's moderator presses a copy of his button in #reading, and his own message claiming #reading
        for mid in (bot_message_with(world, reading, approve), message_id):
            refused = await press(world, approve, mid, MOD_GENERAL, reading)
            assert "Only admins can approve" in plain(refused)
        # the other server's admin presses it in #general
        assert "Only admins can approve" in plain(await press(world, approve, message_id, ADMIN_G2, general))
        assert snapshot(db) == before
        # pressed in #reading by #reading's moderator: #1 of #reading is approved, #general's still waits
        assert "Approved #1" in plain(await press(world, approve, bot_message_with(world, reading, approve),
                                                  MOD_READING, reading))
        assert await statuses(world, reading) == [Status.VISIBLE]
        assert await statuses(world, general) == [Status.PENDING]
        # in the second server the same number means that server's #1
        assert "Approved #1" in plain(await press(world, approve, bot_message_with(world, elsewhere, approve),
                                                  ADMIN_G2, elsewhere))
        assert await statuses(world, elsewhere) == [Status.VISIBLE]
        assert await statuses(world, general) == [Status.PENDING]
