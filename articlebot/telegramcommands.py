"""`articlebot telegram set-webhook URL`: registers the webhook once, for deploy scripts, instead of every
webhook process racing to do it. Several processes behind one URL must all check the same secret, so this
needs TELEGRAM_WEBHOOK_SECRET and refuses without it."""

from __future__ import annotations

import argparse
import asyncio
import sys

from articlebot.settings import Settings


def add_telegram_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    telegram = sub.add_parser("telegram", help="Telegram chores: set-webhook")
    chores = telegram.add_subparsers(dest="telegram_command", required=True)
    hook = chores.add_parser("set-webhook", help="register the webhook URL with Telegram once, then exit")
    hook.add_argument("url", help="the public https URL Telegram will POST updates to")
    hook.add_argument("--drop-pending", action="store_true", help="discard updates Telegram is still holding")


def run_telegram(args: argparse.Namespace, settings: Settings) -> int:
    if settings.telegram_bot_token is None:
        print("Set TELEGRAM_BOT_TOKEN first.", file=sys.stderr)
        return 2
    secret = settings.telegram_webhook_secret
    if secret is None or not secret.get_secret_value():
        print("Set TELEGRAM_WEBHOOK_SECRET first: every process behind this URL checks that Telegram sent the "
              "update with it, so they must all share one.", file=sys.stderr)
        return 2
    if not args.url.startswith("https://"):
        print("Telegram only delivers webhooks to https:// URLs.", file=sys.stderr)
        return 2
    return asyncio.run(_set_webhook(args.url, args.drop_pending, settings))


async def _set_webhook(url: str, drop_pending: bool, settings: Settings) -> int:
    from telegram import Bot
    from telegram.error import InvalidToken, TelegramError

    from adapters.telegram.app import ALLOWED_UPDATES

    assert settings.telegram_bot_token is not None and settings.telegram_webhook_secret is not None
    bot = Bot(settings.telegram_bot_token.get_secret_value(), base_url=settings.telegram_api_url)
    try:
        async with bot:
            await bot.set_webhook(url, secret_token=settings.telegram_webhook_secret.get_secret_value(),
                                  allowed_updates=ALLOWED_UPDATES,
                                  max_connections=settings.telegram_webhook_max_connections,
                                  drop_pending_updates=drop_pending)
    except InvalidToken:
        print("Telegram refused TELEGRAM_BOT_TOKEN: check the token from @BotFather.", file=sys.stderr)
        return 2
    except TelegramError as err:
        print(f"Telegram refused the webhook: {err.message}", file=sys.stderr)
        return 2
    print(f"Telegram now delivers updates to {url} (up to {settings.telegram_webhook_max_connections} at once).")
    return 0
