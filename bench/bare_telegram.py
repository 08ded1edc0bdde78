"""The baseline for the Telegram benchmark: the thinnest python-telegram-bot bot that answers every message.

`python -m bench.bare_telegram --base-url http://127.0.0.1:PORT --token T [--concurrency 16] [--transport aiohttp]`

A plain `telegram.ext.Application` on long polling, no rate limiter, `concurrent_updates(16)` (articlebot runs
16 workers), one MessageHandler that answers each update with exactly one `send_message` replying to it. No
storage, no parsing beyond what PTB does: whatever this reaches is what the library and the fake allow.
With `--transport aiohttp` it uses articlebot's network layer instead of PTB's default httpx one, so the
benchmark can also show articlebot's cost over the same transport.
"""

from __future__ import annotations

import argparse
import logging

from telegram import ReplyParameters, Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from adapters.telegram.transport import AiohttpRequest

CONCURRENCY = 16


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None:
        return
    await context.bot.send_message(
        message.chat_id, f"got {len(message.text or '')} characters",
        reply_parameters=ReplyParameters(message.message_id, allow_sending_without_reply=True))


def build(base_url: str, token: str, concurrency: int,  # type: ignore[type-arg,unused-ignore]
          transport: str = "httpx") -> Application:
    builder = Application.builder()
    if transport == "aiohttp":
        builder = builder.request(AiohttpRequest(connection_pool_size=concurrency + 4)).get_updates_request(
            AiohttpRequest(connection_pool_size=2, read_timeout=10))
    app = (
        builder
        .token(token)
        .base_url(f"{base_url}/bot")
        .base_file_url(f"{base_url}/file/bot")
        .concurrent_updates(concurrency)
        .build()
    )
    app.add_handler(MessageHandler(filters.ALL, answer))
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", required=True, help="the fake Bot API, like http://127.0.0.1:8081")
    parser.add_argument("--token", required=True)
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    parser.add_argument("--transport", choices=("httpx", "aiohttp"), default="httpx")
    args = parser.parse_args(argv)
    if not args.base_url.startswith(("http://127.", "http://localhost")):
        parser.error("the benchmark bot only talks to a Bot API on this machine")
    logging.basicConfig(level=logging.WARNING)
    build(args.base_url, args.token, args.concurrency, args.transport).run_polling(
        allowed_updates=["message", "callback_query"], drop_pending_updates=False)


if __name__ == "__main__":
    main()
