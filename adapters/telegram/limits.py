"""Every Telegram limit the adapter obeys, named once, from python-telegram-bot's `telegram.constants`."""

from telegram.constants import BotCommandLimit, CallbackQueryLimit, InlineKeyboardButtonLimit, MessageLimit

MESSAGE_LIMIT = int(MessageLimit.MAX_TEXT_LENGTH)
CAPTION_LIMIT = int(MessageLimit.CAPTION_LENGTH)
TOAST_LIMIT = int(CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH)  # answerCallbackQuery's text
COMMAND_DESCRIPTION_LIMIT = int(BotCommandLimit.MAX_DESCRIPTION)
CALLBACK_DATA_LIMIT = int(InlineKeyboardButtonLimit.MAX_CALLBACK_DATA)  # bytes
BUTTON_LABEL_LIMIT = 64  # Telegram accepts more, but long labels are unreadable on phones (ours, not Telegram's)
