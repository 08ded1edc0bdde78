"""What the core asks of Discord: is this member a moderator here, and the bytes of an attached file."""

from __future__ import annotations

import logging

import aiohttp
import discord

from bot.errors import BotError
from bot.types import Attachment, Chat, User

log = logging.getLogger("articlebot.discord")

FETCH_TIMEOUT = aiohttp.ClientTimeout(total=60)


def is_moderator(permissions: discord.Permissions) -> bool:
    return permissions.administrator or permissions.manage_messages


def snowflake(key: str) -> int | None:
    """The id in a `discord:<id>` key, or None for anything else."""
    platform, _, ident = key.partition(":")
    return int(ident) if platform == "discord" and ident.isascii() and ident.isdigit() else None


class DiscordPlatform:
    """One per event: `known` holds what the event itself told us (an interaction's resolved permissions,
    a message author's channel permissions); anything else is looked up in the client's cache or by REST."""

    def __init__(self, client: discord.Client, max_bytes: int, known: dict[tuple[str, str], bool] | None = None):
        self.client = client
        self.max_bytes = max_bytes
        self.known = known or {}
        # a message's own channel and author, whose permissions are computed from the cache on demand
        self.local: tuple[str, str, discord.abc.GuildChannel | discord.Thread, discord.Member] | None = None

    async def is_chat_admin(self, chat: Chat, user: User) -> bool:
        if chat.private:
            return False  # a DM has no moderators; bot owners are the core's business
        hint = self.known.get((chat.key, user.key))
        if hint is not None:
            return hint
        if self.local is not None and self.local[:2] == (chat.key, user.key):
            return is_moderator(self.local[2].permissions_for(self.local[3]))
        channel_id, user_id = snowflake(chat.key), snowflake(user.key)
        if channel_id is None or user_id is None:
            return False
        try:
            return await self._lookup(channel_id, user_id)
        except discord.HTTPException as err:
            log.warning("could not read permissions of %s in %s: %s %s", user.key, chat.key, err.status, err.text)
            return False

    async def _lookup(self, channel_id: int, user_id: int) -> bool:
        channel = self.client.get_channel(channel_id)
        if channel is None:
            channel = await self.client.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.GuildChannel | discord.Thread):
            return False
        guild = channel.guild
        member = guild.get_member(user_id)
        if member is None:
            try:
                member = await guild.fetch_member(user_id)
            except discord.NotFound:
                return False
        return is_moderator(channel.permissions_for(member))

    async def fetch(self, attachment: Attachment) -> bytes:
        limit = self.max_bytes
        if attachment.size is not None and attachment.size > limit:
            raise BotError("The file is {size} MB; the limit is {limit} MB.", size=format(attachment.size / 1e6, ".1f"),
                           limit=format(limit / 1e6, ".1f"))
        if not attachment.fetch_id.startswith(("https://", "http://")):
            raise BotError("Could not download {name}.", name=attachment.filename)
        try:
            async with aiohttp.ClientSession(timeout=FETCH_TIMEOUT) as session, \
                    session.get(attachment.fetch_id) as response:
                if response.status != 200:
                    raise BotError("Could not download {name} (HTTP {status}). Please try again.",
                                   name=attachment.filename, status=response.status)
                data = bytearray()
                async for chunk in response.content.iter_chunked(64 * 1024):
                    data += chunk
                    if len(data) > limit:
                        raise BotError("The file is larger than the limit of {limit} MB.",
                                       limit=format(limit / 1e6, ".1f"))
                return bytes(data)
        except (aiohttp.ClientError, TimeoutError) as err:
            log.warning("downloading attachment %s failed: %s", attachment.filename, type(err).__name__)
            raise BotError("Could not download {name}. Please try again.", name=attachment.filename) from err
