"""Discord's side of the HTTP interactions endpoint: it signs each interaction with its own Ed25519 key (the
public half is what the bot is configured with), POSTs it to the bot's endpoint over real HTTP, and applies the
answer in the response to the fake's state exactly as an answer to the callback route would be."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aiohttp
from nacl.signing import SigningKey

if TYPE_CHECKING:
    from .discord_server import FakeDiscord

JSON = dict[str, Any]


@dataclass
class Posted:
    status: int
    body: Any  # the JSON answer, or the text of a refusal


class InteractionPoster:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.key = SigningKey.generate()
        self.public_key = self.key.verify_key.encode().hex()

    def sign(self, body: bytes, timestamp: str, key: SigningKey | None = None) -> str:
        return (key or self.key).sign(timestamp.encode() + body).signature.hex()

    async def post(self, url: str, payload: JSON | None = None, *, raw: bytes | None = None,
                   timestamp: str | None = None, signature: str | None = None,
                   headers: dict[str, str] | None = None) -> Posted:
        """Signs and posts `payload` (or the bytes `raw`); an answer to a known interaction is applied."""
        body = raw if raw is not None else json.dumps(payload).encode()
        stamp = timestamp if timestamp is not None else str(int(time.time()))
        sent = {"Content-Type": "application/json", "X-Signature-Timestamp": stamp,
                "X-Signature-Ed25519": signature if signature is not None else self.sign(body, stamp)}
        if headers is not None:
            sent = headers
        async with aiohttp.ClientSession() as session, session.post(url, data=body, headers=sent) as resp:
            text = await resp.text()
            answer: Any = json.loads(text) if resp.content_type == "application/json" else text
        if resp.status == 200 and isinstance(payload, dict) and isinstance(answer, dict) and "id" in payload:
            record = self.fake.state.interactions.get(int(payload["id"]))
            if record is not None and answer.get("type") != 1:
                self.fake.rest.apply_interaction_response(record, answer)
        return Posted(resp.status, answer)
