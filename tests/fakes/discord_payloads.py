"""State model and payload builders for the fake Discord (see `discord_server.FakeDiscord`).

Everything here is plain data: users, one or more guilds with roles / channels / members / permission
overwrites, stored messages, synced application commands and the interactions the tests created.
The builders produce the JSON shapes discord.py 2.7 parses (gateway dispatches and REST bodies).
"""

from __future__ import annotations

import copy
import itertools
import re
import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import discord

JSON = dict[str, Any]

DISCORD_EPOCH_MS = 1420070400000

# --- permission bits (https://discord.com/developers/docs/topics/permissions) -------------------------
CREATE_INSTANT_INVITE = 1 << 0
KICK_MEMBERS = 1 << 1
BAN_MEMBERS = 1 << 2
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
SEND_TTS_MESSAGES = 1 << 12
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_APPLICATION_COMMANDS = 1 << 31
CREATE_PUBLIC_THREADS = 1 << 35
SEND_MESSAGES_IN_THREADS = 1 << 38

ALL_PERMISSIONS = discord.Permissions.all().value
ALL_CHANNEL_PERMISSIONS = discord.Permissions.all_channel().value

#: What @everyone may do by default. discord.py's `TextChannel.permissions_for` zeroes every channel
#: permission when VIEW_CHANNEL is missing, so a literally empty @everyone would make the "Mods" role's
#: MANAGE_MESSAGES invisible. Pass `everyone_permissions=0` to FakeDiscord for the bare variant.
EVERYONE_DEFAULT = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | READ_MESSAGE_HISTORY
    | ADD_REACTIONS
    | EMBED_LINKS
    | ATTACH_FILES
    | USE_APPLICATION_COMMANDS
    | CREATE_PUBLIC_THREADS
    | SEND_MESSAGES_IN_THREADS
)
#: The bot's managed role.
BOT_DEFAULT = EVERYONE_DEFAULT

# --- enums used in payloads ----------------------------------------------------------------------------
CHANNEL_TEXT = 0
CHANNEL_DM = 1
CHANNEL_VOICE = 2
CHANNEL_CATEGORY = 4

OVERWRITE_ROLE = 0
OVERWRITE_MEMBER = 1

INTERACTION_PING = 1
INTERACTION_APPLICATION_COMMAND = 2
INTERACTION_COMPONENT = 3
INTERACTION_AUTOCOMPLETE = 4
INTERACTION_MODAL_SUBMIT = 5

MESSAGE_DEFAULT = 0
MESSAGE_REPLY = 19
MESSAGE_CHAT_INPUT_COMMAND = 20

FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7

_MENTION_RE = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION_RE = re.compile(r"<@&(\d+)>")


def iso_now() -> str:
    return datetime.now(UTC).isoformat()


class Snowflakes:
    """Strictly increasing, timestamp-based ids (so `discord.utils.snowflake_time` gives "now")."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        candidate = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last = max(candidate, self._last + 1)
        return self._last


# --- model ---------------------------------------------------------------------------------------------


@dataclass
class FakeUser:
    id: int
    username: str
    bot: bool = False
    global_name: str | None = None

    def payload(self) -> JSON:
        return {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }


@dataclass
class FakeRole:
    id: int
    name: str
    permissions: int = 0
    position: int = 0
    managed: bool = False
    mentionable: bool = False
    hoist: bool = False
    bot_id: int | None = None

    def payload(self) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": self.hoist,
            "managed": self.managed,
            "mentionable": self.mentionable,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data


@dataclass
class Overwrite:
    id: int
    type: int  # OVERWRITE_ROLE or OVERWRITE_MEMBER
    allow: int = 0
    deny: int = 0

    def payload(self) -> JSON:
        return {"id": str(self.id), "type": self.type, "allow": str(self.allow), "deny": str(self.deny)}


@dataclass
class FakeChannel:
    id: int
    name: str
    type: int = CHANNEL_TEXT
    guild_id: int | None = None
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    overwrites: list[Overwrite] = field(default_factory=list)
    recipient_id: int | None = None  # DM channels
    last_message_id: int | None = None

    def payload(self, users: dict[int, FakeUser] | None = None) -> JSON:
        if self.type == CHANNEL_DM:
            recipients = []
            if users is not None and self.recipient_id in users:
                recipients = [users[self.recipient_id].payload()]
            return {
                "id": str(self.id),
                "type": CHANNEL_DM,
                "last_message_id": _opt_str(self.last_message_id),
                "recipients": recipients,
                "flags": 0,
            }
        data: JSON = {
            "id": str(self.id),
            "type": self.type,
            "guild_id": _opt_str(self.guild_id),
            "name": self.name,
            "position": self.position,
            "parent_id": _opt_str(self.parent_id),
            "permission_overwrites": [o.payload() for o in self.overwrites],
            "nsfw": False,
            "flags": 0,
        }
        if self.type == CHANNEL_TEXT:
            data.update(
                topic=self.topic,
                rate_limit_per_user=0,
                last_message_id=_opt_str(self.last_message_id),
                default_auto_archive_duration=1440,
            )
        elif self.type == CHANNEL_VOICE:
            data.update(bitrate=64000, user_limit=0, rtc_region=None, rate_limit_per_user=0)
        return data


@dataclass
class FakeMember:
    user_id: int
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=iso_now)

    def payload(self, user: FakeUser | None = None, *, permissions: int | None = None) -> JSON:
        data: JSON = {
            "roles": [str(r) for r in self.roles],
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if user is not None:
            data["user"] = user.payload()
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data


@dataclass
class FakeGuild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, FakeRole] = field(default_factory=dict)
    channels: dict[int, FakeChannel] = field(default_factory=dict)
    members: dict[int, FakeMember] = field(default_factory=dict)
    joined_at: str = field(default_factory=iso_now)

    # -- permissions (Discord's algorithm, incl. the implicit rules discord.py applies) --

    def base_permissions(self, user_id: int) -> int:
        if user_id == self.owner_id:
            return ALL_PERMISSIONS
        perms = self.roles[self.id].permissions if self.id in self.roles else 0
        member = self.members.get(user_id)
        for role_id in member.roles if member else []:
            role = self.roles.get(role_id)
            if role is not None:
                perms |= role.permissions
        if perms & ADMINISTRATOR:
            return ALL_PERMISSIONS
        return perms

    def channel_permissions(self, channel_id: int, user_id: int) -> int:
        perms = self.base_permissions(user_id)
        if perms == ALL_PERMISSIONS:
            return perms
        channel = self.channels[channel_id]
        member = self.members.get(user_id)
        member_roles = set(member.roles) if member else set()
        for ow in channel.overwrites:
            if ow.type == OVERWRITE_ROLE and ow.id == self.id:
                perms = (perms & ~ow.deny) | ow.allow
        allow = deny = 0
        for ow in channel.overwrites:
            if ow.type == OVERWRITE_ROLE and ow.id in member_roles:
                allow |= ow.allow
                deny |= ow.deny
        perms = (perms & ~deny) | allow
        for ow in channel.overwrites:
            if ow.type == OVERWRITE_MEMBER and ow.id == user_id:
                perms = (perms & ~ow.deny) | ow.allow
        if not perms & SEND_MESSAGES:
            perms &= ~(SEND_TTS_MESSAGES | MENTION_EVERYONE | EMBED_LINKS | ATTACH_FILES)
        if not perms & VIEW_CHANNEL:
            perms &= ~ALL_CHANNEL_PERMISSIONS
        return perms

    def guild_payload(self) -> JSON:
        """The REST guild object (no channels/members)."""
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": "en-US",
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "widget_enabled": False,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "roles": [r.payload() for r in sorted(self.roles.values(), key=lambda r: r.position)],
            "emojis": [],
            "stickers": [],
            "features": [],
            "incidents_data": None,
        }


def _opt_str(value: int | None) -> str | None:
    return None if value is None else str(value)


def _infer_option_type(value: Any) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    if isinstance(value, float):
        return 10
    return 3


@dataclass
class InteractionRecord:
    """An interaction the fake handed out; callbacks and followups are matched to it by id/token."""

    id: int
    token: str
    type: int
    channel_id: int
    user_id: int
    guild_id: int | None
    message_id: int | None = None  # the message a component sits on
    responses: list[JSON] = field(default_factory=list)  # callback bodies, in order
    original_message_id: int | None = None
    followup_message_ids: list[int] = field(default_factory=list)

    @property
    def responded(self) -> bool:
        return bool(self.responses)

    @property
    def response_type(self) -> int | None:
        return self.responses[0]["type"] if self.responses else None


# --- the whole world -----------------------------------------------------------------------------------


class DiscordState:
    """Users, guilds, messages, commands and interactions, plus the payload builders."""

    def __init__(
        self,
        *,
        application_id: int = 1000,
        bot_user_id: int | None = None,
        bot_name: str = "articlebot",
        guild_id: int = 2000,
        everyone_permissions: int = EVERYONE_DEFAULT,
        bot_permissions: int = BOT_DEFAULT,
        populate: bool = True,
    ) -> None:
        self.application_id = application_id
        self.bot_user_id = bot_user_id if bot_user_id is not None else application_id
        self.default_guild_id = guild_id
        self.base_url = ""  # the fake's http base, set by FakeDiscord.start()
        self.ids = Snowflakes()
        self.users: dict[int, FakeUser] = {}
        self.guilds: dict[int, FakeGuild] = {}
        self.dm_channels: dict[int, FakeChannel] = {}
        self.messages: dict[int, JSON] = {}
        self.blobs: dict[int, tuple[str, bytes]] = {}  # attachment id -> (filename, bytes)
        self.global_commands: dict[str, JSON] = {}
        self.guild_commands: dict[int, dict[str, JSON]] = {}
        self.interactions: dict[int, InteractionRecord] = {}
        self._tokens = itertools.count(1)

        self.add_user(self.bot_user_id, bot_name, bot=True)
        if populate:
            self._populate(guild_id, everyone_permissions, bot_permissions)

    def _populate(self, guild_id: int, everyone_permissions: int, bot_permissions: int) -> None:
        self.add_guild(guild_id, "Fake Guild", owner_id=5003, everyone_permissions=everyone_permissions)
        self.add_role(4000, "articlebot", bot_permissions, position=3, managed=True, bot_id=self.bot_user_id)
        self.add_role(4001, "Mods", MANAGE_MESSAGES, position=1)
        self.add_role(4002, "Admin", ADMINISTRATOR, position=2)
        self.add_channel(3001, "general")
        self.add_channel(3002, "reading")
        self.add_member(self.bot_user_id, roles=[4000])
        self.add_member(5001, "member", roles=[])
        self.add_member(5002, "mod", roles=[4001])
        self.add_member(5003, "admin", roles=[4002])

    # -- mutation (pure state; FakeDiscord's async wrappers also tell the gateway) --

    def add_user(self, user_id: int, username: str | None = None, *, bot: bool = False) -> FakeUser:
        user = self.users.get(user_id)
        if user is None:
            user = FakeUser(user_id, username or f"user{user_id}", bot=bot)
            self.users[user_id] = user
        elif username is not None:
            user.username = username
        return user

    def add_guild(
        self, guild_id: int, name: str, *, owner_id: int, everyone_permissions: int = EVERYONE_DEFAULT
    ) -> FakeGuild:
        guild = FakeGuild(guild_id, name, owner_id)
        guild.roles[guild_id] = FakeRole(guild_id, "@everyone", everyone_permissions, position=0)
        self.guilds[guild_id] = guild
        return guild

    def guild(self, guild_id: int | None = None) -> FakeGuild:
        return self.guilds[guild_id if guild_id is not None else self.default_guild_id]

    def add_role(
        self,
        role_id: int,
        name: str,
        permissions: int = 0,
        *,
        guild_id: int | None = None,
        position: int | None = None,
        managed: bool = False,
        bot_id: int | None = None,
    ) -> FakeRole:
        guild = self.guild(guild_id)
        if position is None:
            position = max((r.position for r in guild.roles.values()), default=0) + 1
        role = FakeRole(role_id, name, permissions, position=position, managed=managed, bot_id=bot_id)
        guild.roles[role_id] = role
        return role

    def add_channel(
        self,
        channel_id: int,
        name: str,
        *,
        guild_id: int | None = None,
        type: int = CHANNEL_TEXT,
        parent_id: int | None = None,
        topic: str | None = None,
        overwrites: Iterable[Overwrite] = (),
    ) -> FakeChannel:
        guild = self.guild(guild_id)
        channel = FakeChannel(
            channel_id,
            name,
            type=type,
            guild_id=guild.id,
            position=len(guild.channels),
            parent_id=parent_id,
            topic=topic,
            overwrites=list(overwrites),
        )
        guild.channels[channel_id] = channel
        return channel

    def add_member(
        self,
        user_id: int,
        username: str | None = None,
        *,
        roles: Sequence[int] = (),
        guild_id: int | None = None,
        nick: str | None = None,
    ) -> FakeMember:
        self.add_user(user_id, username)
        guild = self.guild(guild_id)
        member = FakeMember(user_id, list(roles), nick=nick)
        guild.members[user_id] = member
        return member

    def set_overwrite(
        self,
        channel_id: int,
        target_id: int,
        *,
        allow: int = 0,
        deny: int = 0,
        type: int | None = None,
        guild_id: int | None = None,
    ) -> FakeChannel:
        """Set (replace) the overwrite for a role or member; type defaults to role if target is a role."""
        guild = self.guild(guild_id)
        if type is None:
            type = OVERWRITE_ROLE if target_id in guild.roles else OVERWRITE_MEMBER
        channel = guild.channels[channel_id]
        channel.overwrites = [o for o in channel.overwrites if o.id != target_id]
        channel.overwrites.append(Overwrite(target_id, type, allow, deny))
        return channel

    def find_channel(self, channel_id: int) -> FakeChannel | None:
        for guild in self.guilds.values():
            if channel_id in guild.channels:
                return guild.channels[channel_id]
        return self.dm_channels.get(channel_id)

    def open_dm(self, user_id: int) -> FakeChannel:
        for channel in self.dm_channels.values():
            if channel.recipient_id == user_id:
                return channel
        channel = FakeChannel(self.ids.next(), "", type=CHANNEL_DM, recipient_id=user_id)
        self.dm_channels[channel.id] = channel
        return channel

    # -- payloads: users, members, guilds --

    def bot_user_payload(self) -> JSON:
        data = self.users[self.bot_user_id].payload()
        data.update(verified=True, mfa_enabled=False, flags=0, locale="en-US", email=None)
        return data

    def application_payload(self) -> JSON:
        return {
            "id": str(self.application_id),
            "name": self.users[self.bot_user_id].username,
            "icon": None,
            "description": "",
            "summary": "",
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "owner": self.users[self.bot_user_id].payload(),
            "team": None,
            "flags": 0,
            "interactions_endpoint_url": None,
            "redirect_uris": [],
            "tags": [],
            "bot": self.users[self.bot_user_id].payload(),
        }

    def member_payload(self, user_id: int, guild_id: int | None = None, *, with_user: bool = True) -> JSON:
        guild = self.guild(guild_id)
        member = guild.members[user_id]
        return member.payload(self.users[user_id] if with_user else None)

    def guild_create_payload(self, guild_id: int) -> JSON:
        guild = self.guilds[guild_id]
        data = guild.guild_payload()
        data.update(
            unavailable=False,
            large=False,
            lazy=True,
            member_count=len(guild.members),
            joined_at=guild.joined_at,
            channels=[c.payload() for c in guild.channels.values()],
            members=[self.member_payload(uid, guild_id) for uid in guild.members],
            threads=[],
            presences=[],
            voice_states=[],
            stage_instances=[],
            guild_scheduled_events=[],
            soundboard_sounds=[],
            embedded_activities=[],
            application_command_counts={},
        )
        return data

    # -- messages --

    def store_message(
        self,
        channel_id: int,
        author_id: int,
        content: str = "",
        *,
        message_id: int | None = None,
        embeds: Sequence[JSON] = (),
        components: Sequence[JSON] = (),
        attachments: Sequence[JSON] = (),
        flags: int = 0,
        referenced_message: JSON | int | None = None,
        mentions: Sequence[int] | None = None,
        mention_roles: Sequence[int] | None = None,
        webhook_id: int | None = None,
        application_id: int | None = None,
        interaction_metadata: JSON | None = None,
        message_type: int | None = None,
        tts: bool = False,
        nonce: str | int | None = None,
    ) -> JSON:
        """Create and store a full message object (gateway shape: includes guild_id + member partial)."""
        channel = self.find_channel(channel_id)
        if channel is None:
            raise KeyError(f"unknown channel {channel_id}")
        if author_id not in self.users:
            self.add_user(author_id)
        mid = message_id if message_id is not None else self.ids.next()
        guild = self.guilds.get(channel.guild_id) if channel.guild_id is not None else None
        if mentions is None:
            mentions = [int(m) for m in _MENTION_RE.findall(content) if int(m) in self.users]
        if mention_roles is None:
            mention_roles = [int(r) for r in _ROLE_MENTION_RE.findall(content)]
        data: JSON = {
            "id": str(mid),
            "channel_id": str(channel_id),
            "type": message_type if message_type is not None else MESSAGE_DEFAULT,
            "content": content,
            "author": self.users[author_id].payload(),
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": tts,
            "mention_everyone": "@everyone" in content,
            "mentions": [self._mention_payload(uid, guild) for uid in mentions],
            "mention_roles": [str(r) for r in mention_roles],
            "attachments": list(attachments),
            "embeds": list(embeds),
            "components": list(components),
            "reactions": [],
            "pinned": False,
            "flags": flags,
        }
        if nonce is not None:
            data["nonce"] = nonce
        if guild is not None:
            data["guild_id"] = str(guild.id)
            if author_id in guild.members and webhook_id is None:
                data["member"] = guild.members[author_id].payload()
        if webhook_id is not None:
            data["webhook_id"] = str(webhook_id)
        if application_id is not None:
            data["application_id"] = str(application_id)
        if interaction_metadata is not None:
            data["interaction_metadata"] = interaction_metadata
        if referenced_message is not None:
            ref: JSON | None
            if isinstance(referenced_message, int):
                ref_id, ref = referenced_message, self.messages.get(referenced_message)
            else:
                ref_id, ref = int(referenced_message["id"]), referenced_message
            data["message_reference"] = {
                "type": 0,
                "message_id": str(ref_id),
                "channel_id": ref["channel_id"] if ref else str(channel_id),
                "guild_id": data.get("guild_id"),
            }
            if ref is not None:
                nested = copy.deepcopy(ref)
                nested.pop("referenced_message", None)
                data["referenced_message"] = nested
            else:
                data["referenced_message"] = None
            if message_type is None:
                data["type"] = MESSAGE_REPLY
        self.messages[mid] = data
        channel.last_message_id = mid
        return copy.deepcopy(data)

    def _mention_payload(self, user_id: int, guild: FakeGuild | None) -> JSON:
        data = self.users[user_id].payload() if user_id in self.users else FakeUser(user_id, "?").payload()
        if guild is not None and user_id in guild.members:
            data["member"] = guild.members[user_id].payload()
        return data

    def attachment_payload(self, channel_id: int, filename: str, content: bytes, **extra: Any) -> JSON:
        """Register bytes the fake serves at the attachment's url and return the attachment object."""
        aid = self.ids.next()
        self.blobs[aid] = (filename, content)
        url = f"{self.base_url}/attachments/{channel_id}/{aid}/{filename}"
        data: JSON = {
            "id": str(aid),
            "filename": filename,
            "size": len(content),
            "url": url,
            "proxy_url": url,
            "content_type": extra.pop("content_type", None) or _guess_type(filename),
            "flags": 0,
        }
        data.update(extra)
        return data

    def message_create(
        self,
        channel_id: int,
        author_id: int,
        content: str,
        *,
        message_id: int | None = None,
        referenced_message: JSON | int | None = None,
        mentions: Sequence[int] | None = None,
        attachments: Sequence[tuple[str, bytes] | JSON] = (),
        embeds: Sequence[JSON] = (),
    ) -> JSON:
        """A MESSAGE_CREATE payload from a user (stored, so GET and replies can find it).

        `mentions` defaults to the `<@id>` mentions found in `content`; `attachments` may be
        `(filename, bytes)` pairs (served by the fake at the attachment url) or ready attachment dicts.
        """
        files = [
            a if isinstance(a, dict) else self.attachment_payload(channel_id, a[0], a[1]) for a in attachments
        ]
        return self.store_message(
            channel_id,
            author_id,
            content,
            message_id=message_id,
            referenced_message=referenced_message,
            mentions=mentions,
            attachments=files,
            embeds=embeds,
        )

    # -- application commands --

    def commands(self, guild_id: int | None = None) -> list[JSON]:
        table = self.global_commands if guild_id is None else self.guild_commands.get(guild_id, {})
        return [copy.deepcopy(c) for c in table.values()]

    def command(self, name: str, guild_id: int | None = None) -> JSON | None:
        """The synced command `name`: the guild's one if `guild_id` has it, else the global one."""
        if guild_id is not None and name in self.guild_commands.get(guild_id, {}):
            return self.guild_commands[guild_id][name]
        return self.global_commands.get(name)

    def upsert_command(self, body: JSON, guild_id: int | None) -> JSON:
        table = self.global_commands if guild_id is None else self.guild_commands.setdefault(guild_id, {})
        existing = table.get(body["name"])
        command: JSON = {
            "type": 1,
            "description": "",
            "options": [],
            "default_member_permissions": None,
            "dm_permission": True,
            "nsfw": False,
            "name_localizations": None,
            "description_localizations": None,
        }
        command.update(copy.deepcopy(body))
        command.update(
            id=existing["id"] if existing else str(self.ids.next()),
            application_id=str(self.application_id),
            version=str(self.ids.next()),
        )
        if guild_id is not None:
            command["guild_id"] = str(guild_id)
        table[body["name"]] = command
        return copy.deepcopy(command)

    def overwrite_commands(self, bodies: Sequence[JSON], guild_id: int | None) -> list[JSON]:
        old = self.global_commands if guild_id is None else self.guild_commands.get(guild_id, {})
        kept = {b["name"]: old[b["name"]] for b in bodies if b["name"] in old}
        if guild_id is None:
            self.global_commands = kept
        else:
            self.guild_commands[guild_id] = kept
        return [self.upsert_command(b, guild_id) for b in bodies]

    # -- interactions --

    def _interaction_base(
        self,
        type: int,
        user_id: int,
        channel_id: int,
        guild_id: int | None,
        *,
        locale: str = "en-US",
        message_id: int | None = None,
    ) -> tuple[JSON, InteractionRecord]:
        iid = self.ids.next()
        token = f"itoken-{next(self._tokens)}-{secrets.token_hex(8)}"
        record = InteractionRecord(iid, token, type, channel_id, user_id, guild_id, message_id=message_id)
        self.interactions[iid] = record
        channel = self.find_channel(channel_id)
        if channel is None:
            raise KeyError(f"unknown channel {channel_id}")
        data: JSON = {
            "id": str(iid),
            "application_id": str(self.application_id),
            "type": type,
            "token": token,
            "version": 1,
            "channel_id": str(channel_id),
            "channel": channel.payload(self.users),
            "locale": locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if guild_id is not None:
            guild = self.guilds[guild_id]
            perms = guild.channel_permissions(channel_id, user_id)
            data["channel"]["permissions"] = str(perms)
            data.update(
                guild_id=str(guild_id),
                guild={"id": str(guild_id), "locale": "en-US", "features": []},
                guild_locale="en-US",
                member=guild.members[user_id].payload(self.users[user_id], permissions=perms),
                app_permissions=str(guild.channel_permissions(channel_id, self.bot_user_id)),
                authorizing_integration_owners={"0": str(guild_id)},
                context=0,
            )
        else:
            data.update(
                user=self.users[user_id].payload(),
                app_permissions=str(EVERYONE_DEFAULT),
                authorizing_integration_owners={"1": str(user_id)},
                context=1,
            )
        return data, record

    def _command_data(
        self, command_name: str, options: Sequence[JSON], guild_id: int | None, command_type: int = 1
    ) -> JSON:
        synced = self.command(command_name, guild_id)
        normalized = [self._normalize_option(o) for o in options]
        data: JSON = {
            "id": synced["id"] if synced else str(self.ids.next()),
            "name": command_name,
            "type": command_type,
            "options": normalized,
        }
        if synced is not None and "guild_id" in synced:
            data["guild_id"] = synced["guild_id"]
        resolved = self._resolve_options(normalized, guild_id)
        if resolved:
            data["resolved"] = resolved
        return data

    def _normalize_option(self, option: JSON) -> JSON:
        option = dict(option)
        if "options" in option:
            option.setdefault("type", 1)
            option["options"] = [self._normalize_option(o) for o in option["options"]]
        else:
            option.setdefault("type", _infer_option_type(option.get("value")))
            if option["type"] in (6, 7, 8, 9, 11):
                option["value"] = str(option["value"])
        return option

    def _resolve_options(self, options: Sequence[JSON], guild_id: int | None) -> JSON:
        resolved: dict[str, dict[str, JSON]] = {}
        guild = self.guilds.get(guild_id) if guild_id is not None else None
        stack = list(options)
        while stack:
            option = stack.pop()
            stack.extend(option.get("options", []))
            kind, value = option.get("type"), option.get("value")
            if value is None or kind not in (6, 7, 8, 9):
                continue
            target = int(value)
            if kind in (6, 9) and target in self.users:
                resolved.setdefault("users", {})[str(target)] = self.users[target].payload()
                if guild is not None and target in guild.members:
                    member = guild.members[target].payload()
                    member["permissions"] = str(guild.base_permissions(target))
                    resolved.setdefault("members", {})[str(target)] = member
            if kind in (8, 9) and guild is not None and target in guild.roles:
                resolved.setdefault("roles", {})[str(target)] = guild.roles[target].payload()
            if kind == 7:
                channel = self.find_channel(target)
                if channel is not None:
                    payload = channel.payload(self.users)
                    payload["permissions"] = str(ALL_PERMISSIONS)
                    resolved.setdefault("channels", {})[str(target)] = payload
        return resolved

    def slash_interaction(
        self,
        command_name: str,
        options: Sequence[JSON] = (),
        user_id: int = 5001,
        channel_id: int = 3001,
        *,
        guild_id: int | None = 2000,
        locale: str = "en-US",
    ) -> JSON:
        """INTERACTION_CREATE type 2 (chat input). Options: `{"name", "value"[, "type"]}` (type inferred:
        str 3, int 4, bool 5, float 10), or `{"name", "options": [...]}` for subcommands."""
        data, _ = self._interaction_base(
            INTERACTION_APPLICATION_COMMAND, user_id, channel_id, guild_id, locale=locale
        )
        data["data"] = self._command_data(command_name, options, guild_id)
        return data

    def autocomplete_interaction(
        self,
        command_name: str,
        options: Sequence[JSON],
        focused: str,
        user_id: int = 5001,
        channel_id: int = 3001,
        *,
        guild_id: int | None = 2000,
    ) -> JSON:
        """INTERACTION_CREATE type 4; the option named `focused` (searched recursively) gets focused=True."""
        data, _ = self._interaction_base(INTERACTION_AUTOCOMPLETE, user_id, channel_id, guild_id)
        command = self._command_data(command_name, options, guild_id)
        stack = list(command["options"])
        while stack:
            option = stack.pop()
            stack.extend(option.get("options", []))
            if option.get("name") == focused and "options" not in option:
                option["focused"] = True
                option["type"] = 3 if option["type"] not in (4, 10) else option["type"]
        data["data"] = command
        return data

    def component_interaction(
        self,
        custom_id: str,
        user_id: int,
        channel_id: int,
        message: JSON | int,
        *,
        component_type: int = 2,
        values: Sequence[str] | None = None,
        guild_id: int | None = 2000,
    ) -> JSON:
        """INTERACTION_CREATE type 3 for a button (component_type 2) or select (values=...) on `message`
        (a message dict or the id of a stored message)."""
        msg = copy.deepcopy(self.messages[message] if isinstance(message, int) else message)
        data, _ = self._interaction_base(
            INTERACTION_COMPONENT, user_id, channel_id, guild_id, message_id=int(msg["id"])
        )
        data["message"] = msg
        data["data"] = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["data"]["values"] = list(values)
        return data

    def interaction_by_token(self, token: str) -> InteractionRecord | None:
        for record in self.interactions.values():
            if record.token == token:
                return record
        return None

    def interaction_message(
        self, record: InteractionRecord, body: JSON, *, ephemeral: bool = False, loading: bool = False
    ) -> JSON:
        """Store a message sent as an interaction response/followup (webhook-authored by the app)."""
        flags = int(body.get("flags") or 0)
        if ephemeral:
            flags |= FLAG_EPHEMERAL
        if loading:
            flags |= FLAG_LOADING
        metadata: JSON = {
            "id": str(record.id),
            "type": record.type,
            "user": self.users[record.user_id].payload(),
            "authorizing_integration_owners": (
                {"0": str(record.guild_id)} if record.guild_id else {"1": str(record.user_id)}
            ),
        }
        return self.store_message(
            record.channel_id,
            self.bot_user_id,
            body.get("content") or "",
            embeds=body.get("embeds") or (),
            components=body.get("components") or (),
            attachments=body.get("attachments") or (),
            flags=flags,
            mentions=[],
            webhook_id=self.application_id,
            application_id=self.application_id,
            interaction_metadata=metadata,
            message_type=MESSAGE_CHAT_INPUT_COMMAND if record.type == INTERACTION_APPLICATION_COMMAND else 0,
        )


def _guess_type(filename: str) -> str:
    lowered = filename.lower()
    for suffix, kind in (
        (".txt", "text/plain; charset=utf-8"),
        (".md", "text/markdown; charset=utf-8"),
        (".html", "text/html; charset=utf-8"),
        (".json", "application/json"),
        (".png", "image/png"),
        (".jpg", "image/jpeg"),
        (".pdf", "application/pdf"),
    ):
        if lowered.endswith(suffix):
            return kind
    return "application/octet-stream"
