"""What the core asks of Telegram: is this user an admin here, and the bytes of an attached file."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError

from bot.errors import BotError
from bot.types import Attachment, Chat, User

log = logging.getLogger("articlebot.telegram")
ADMIN_STATUSES = {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR}


def numeric_id(key: str) -> int:
    return int(key.split(":", 1)[1])


class TelegramPlatform:
    def __init__(self, bot: Bot, max_bytes: int) -> None:
        self.bot = bot
        self.max_bytes = max_bytes

    async def is_chat_admin(self, chat: Chat, user: User) -> bool:
        if chat.private:
            return False
        try:
            member = await self.bot.get_chat_member(numeric_id(chat.key), numeric_id(user.key))
        except TelegramError as err:
            log.warning("could not ask Telegram whether %s is an admin of %s: %s", user.key, chat.key, err)
            return False  # unknown means no: never grant power on a failed lookup
        return member.status in ADMIN_STATUSES

    async def fetch(self, attachment: Attachment) -> bytes:
        if attachment.size is not None and attachment.size > self.max_bytes:
            raise BotError("The file is {size} MB; the limit is {limit} MB.", size=format(attachment.size / 1e6, ".1f"),
                           limit=format(self.max_bytes / 1e6, ".1f"))
        try:
            file = await self.bot.get_file(attachment.fetch_id)
            data = await file.download_as_bytearray()
        except TelegramError as err:
            log.warning("downloading %s failed: %s", attachment.filename, err)
            raise BotError("I could not download that file from Telegram. Please send it again.") from err
        return bytes(data)
