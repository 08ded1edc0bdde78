"""The fake Discord gateway: a websocket endpoint speaking gateway v10 (JSON, optional transport compression).

discord.py 2.7.1 connects to `DiscordWebSocket.DEFAULT_GATEWAY` (or the `url` of `GET /gateway/bot` for
AutoShardedClient) with `?v=10&encoding=json&compress=zlib-stream` (`zstd-stream` when `zstandard` or
`compression.zstd` is importable). With zlib-stream every frame must be a binary chunk of ONE shared
zlib stream ending in a Z_SYNC_FLUSH marker (00 00 ff ff); that is what this server sends.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from .discord_payloads import JSON

if TYPE_CHECKING:
    from .discord_server import FakeDiscord

log = logging.getLogger(__name__)

OP_DISPATCH = 0
OP_HEARTBEAT = 1
OP_IDENTIFY = 2
OP_PRESENCE = 3
OP_VOICE_STATE = 4
OP_RESUME = 6
OP_RECONNECT = 7
OP_REQUEST_MEMBERS = 8
OP_INVALID_SESSION = 9
OP_HELLO = 10
OP_HEARTBEAT_ACK = 11

CLOSE_AUTHENTICATION_FAILED = 4004
CLOSE_ALREADY_AUTHENTICATED = 4005
CLOSE_INVALID_API_VERSION = 4012
CLOSE_DISALLOWED_INTENTS = 4014
CLOSE_DECODE_ERROR = 4002
CLOSE_RATE_LIMITED = 4008
CLOSE_INVALID_SHARD = 4010
IDENTIFY_WINDOW = 5.0  # seconds: one IDENTIFY per max_concurrency bucket in this window, as Discord allows

PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15)  # members, presences, message_content


class FrameEncoder:
    """Turns payloads into websocket frames for the compression the client asked for."""

    def __init__(self, compression: str | None) -> None:
        self.compression = compression
        self._encode: Callable[[bytes], bytes] | None = None
        if compression == "zlib-stream":
            compressor = zlib.compressobj()
            self._encode = lambda raw: compressor.compress(raw) + compressor.flush(zlib.Z_SYNC_FLUSH)
        elif compression == "zstd-stream":
            self._encode = _zstd_stream_encoder()
        elif compression is not None:
            raise ValueError(f"unsupported compress={compression!r}")

    def encode(self, payload: JSON) -> str | bytes:
        text = json.dumps(payload, separators=(",", ":"))
        if self._encode is None:
            return text
        return self._encode(text.encode())


def _zstd_stream_encoder() -> Callable[[bytes], bytes]:
    # Only reachable when discord.py itself found a zstd module (it then asks for zstd-stream); each
    # frame is a flushed block of one zstd stream. Not exercised in this venv (no zstd module installed).
    try:
        from compression import zstd

        std = zstd.ZstdCompressor()
        return lambda raw: std.compress(raw, mode=zstd.ZstdCompressor.FLUSH_BLOCK)
    except ImportError:
        import zstandard

        obj = zstandard.ZstdCompressor().compressobj()
        return lambda raw: obj.compress(raw) + obj.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)


@dataclass
class GatewaySession:
    session_id: str
    identify: JSON
    seq: int = 0
    history: list[JSON] = field(default_factory=list)  # every sequenced dispatch, for RESUME replay
    connection: GatewayConnection | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def shard(self) -> tuple[int, int] | None:
        shard = self.identify.get("shard")
        return (int(shard[0]), int(shard[1])) if shard else None


@dataclass
class GatewayConnection:
    request: web.Request
    ws: web.WebSocketResponse
    encoder: FrameEncoder
    query: dict[str, str]
    session: GatewaySession | None = None
    done: asyncio.Event = field(default_factory=asyncio.Event)
    send_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    received: list[JSON] = field(default_factory=list)
    sent: list[JSON] = field(default_factory=list)
    close_code: int | None = None

    @property
    def live(self) -> bool:
        return not self.ws.closed and not self.done.is_set()

    async def send(self, payload: JSON) -> None:
        async with self.send_lock:
            self.sent.append(payload)
            frame = self.encoder.encode(payload)
            if isinstance(frame, bytes):
                await self.ws.send_bytes(frame)
            else:
                await self.ws.send_str(frame)


class FakeGateway:
    def __init__(
        self, fake: FakeDiscord, *, heartbeat_interval_ms: int, allow_privileged_intents: bool
    ) -> None:
        self.fake = fake
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.allow_privileged_intents = allow_privileged_intents
        self.session: GatewaySession | None = None  # the newest (the only one, unless sharded)
        self.sessions: list[GatewaySession] = []  # every session, each shard's among them
        self.max_concurrency = 1  # IDENTIFYs Discord accepts per 5 s bucket (shard id % max_concurrency)
        self.identified_at: dict[int, float] = {}
        self.identify_rejections = 0
        self.connections: list[GatewayConnection] = []  # every connection ever made, in order
        self.identify_payloads: list[JSON] = []
        self.identify_count = 0
        self.resume_count = 0
        self.invalid_resume_count = 0
        self.heartbeat_count = 0
        self.presence_updates: list[JSON] = []
        self.member_requests: list[JSON] = []
        self.close_codes_sent: list[int] = []
        self.accepting = asyncio.Event()  # cleared by FakeDiscord.hold_gateway(): HELLO waits for it
        self.accepting.set()

    # -- public-ish --

    @property
    def current(self) -> GatewayConnection | None:
        for conn in reversed(self.connections):
            if conn.live:
                return conn
        return None

    @property
    def ready(self) -> bool:
        return self.session is not None and self.session.connection is not None

    def session_for(self, data: Any) -> GatewaySession | None:
        """The session a dispatch goes to: the shard of its guild when sharded (None while no process holds
        that shard: Discord delivers it to nobody), else the newest."""
        guild = data.get("guild_id") if isinstance(data, dict) else None
        if guild is not None and any(s.shard is not None for s in self.sessions):
            for session in reversed(self.sessions):
                if session.shard is not None and self._on_shard(session, int(guild)):
                    return session
            return None
        return self.session

    def undelivered(self, data: Any) -> bool:
        """True when a sharded bot has no connection for this event's guild right now."""
        return self.session_for(data) is None and any(s.shard is not None for s in self.sessions)

    async def dispatch(self, event: str, data: JSON) -> int:
        """Send a sequenced dispatch; kept in the session history so a RESUME replays it."""
        session = self.session_for(data)
        if session is None and self.undelivered(data):
            return 0  # the shard's process is down: nothing is delivered (the message stays in its channel)
        if session is None:
            raise RuntimeError("no gateway session yet (the client has not identified)")
        async with session.lock:
            return await self._dispatch_locked(session, event, data)

    async def _dispatch_locked(self, session: GatewaySession, event: str, data: JSON) -> int:
        session.seq += 1
        payload = {"op": OP_DISPATCH, "t": event, "s": session.seq, "d": data}
        session.history.append(payload)
        conn = session.connection
        if conn is not None and conn.live:
            try:
                await conn.send(payload)
            except (ConnectionError, RuntimeError):
                log.debug("fake gateway: %s not delivered (connection closing); kept for resume", event)
        return session.seq

    async def drop(self, code: int | None = None) -> None:
        """Kill the live connection: without a close frame (code None -> client sees 1006) or with `code`."""
        conn = self.current
        if conn is None:
            raise RuntimeError("no live gateway connection to drop")
        if conn.session is not None:
            conn.session.connection = None
        if code is None:
            transport = conn.request.transport
            if transport is not None:
                transport.abort()
        else:
            self.close_codes_sent.append(code)
            await conn.ws.close(code=code, message=b"dropped by test")
        async with asyncio.timeout(5.0):
            await conn.done.wait()

    async def invalidate_session(self, *, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION on the live connection. Unless `resumable`, the session is forgotten
        first: a RESUME is refused, nothing is replayed, and the client must IDENTIFY anew (events sent
        until then never reach it, as on Discord)."""
        conn = self.current
        if conn is None:
            raise RuntimeError("no live gateway connection")
        if not resumable and self.session is not None:
            self.session.connection = None
            self.sessions.remove(self.session)
            self.session = None
        await conn.send({"op": OP_INVALID_SESSION, "d": resumable, "s": None, "t": None})

    async def reconnect_request(self) -> None:
        """Send op 7 RECONNECT (the client closes and resumes)."""
        conn = self.current
        if conn is None:
            raise RuntimeError("no live gateway connection")
        await conn.send({"op": OP_RECONNECT, "d": None, "s": None, "t": None})

    async def close_all(self) -> None:
        for conn in list(self.connections):
            if conn.live:
                await conn.ws.close(code=1001, message=b"fake discord stopping")

    # -- websocket handler --

    async def handle(self, request: web.Request) -> web.StreamResponse:
        query = dict(request.query)
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        try:
            encoder = FrameEncoder(query.get("compress"))
        except ValueError:
            await ws.close(code=CLOSE_DECODE_ERROR, message=b"unsupported compression")
            return ws
        conn = GatewayConnection(request, ws, encoder, query)
        self.connections.append(conn)
        try:
            if query.get("v", "10") != "10" or query.get("encoding", "json") != "json":
                await self._close(conn, CLOSE_INVALID_API_VERSION, "fake supports v=10 encoding=json only")
                return ws
            await self.accepting.wait()
            await conn.send(
                {
                    "op": OP_HELLO,
                    "d": {"heartbeat_interval": self.heartbeat_interval_ms, "_trace": ["fake-discord"]},
                    "s": None,
                    "t": None,
                }
            )
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    payload = json.loads(msg.data)
                    conn.received.append(payload)
                    await self._on_payload(conn, payload)
                elif msg.type is WSMsgType.ERROR:
                    break
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            conn.close_code = ws.close_code
            if conn.session is not None and conn.session.connection is conn:
                conn.session.connection = None
            conn.done.set()
            await self.fake._notify()
        return ws

    async def _close(self, conn: GatewayConnection, code: int, reason: str) -> None:
        self.close_codes_sent.append(code)
        await conn.ws.close(code=code, message=reason.encode())

    def _token_ok(self, token: Any) -> bool:
        expected = self.fake.token
        return token in (expected, f"Bot {expected}")

    async def _on_payload(self, conn: GatewayConnection, payload: JSON) -> None:
        op = payload.get("op")
        data: Any = payload.get("d")
        if op == OP_HEARTBEAT:
            self.heartbeat_count += 1
            await conn.send({"op": OP_HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == OP_IDENTIFY:
            await self._identify(conn, data)
        elif op == OP_RESUME:
            await self._resume(conn, data)
        elif op == OP_REQUEST_MEMBERS:
            await self._request_members(conn, data)
        elif op == OP_PRESENCE:
            self.presence_updates.append(data)
        elif op == OP_VOICE_STATE:
            pass
        else:
            log.warning("fake gateway: ignoring op %s: %s", op, payload)

    async def _identify(self, conn: GatewayConnection, data: JSON) -> None:
        if not self._token_ok(data.get("token")):
            await self._close(conn, CLOSE_AUTHENTICATION_FAILED, "Authentication failed.")
            return
        if conn.session is not None:
            await self._close(conn, CLOSE_ALREADY_AUTHENTICATED, "Already authenticated.")
            return
        intents = int(data.get("intents", 0))
        if intents & PRIVILEGED_INTENTS and not self.allow_privileged_intents:
            await self._close(conn, CLOSE_DISALLOWED_INTENTS, "Disallowed intent(s).")
            return
        shard = data.get("shard")
        if shard is not None:
            if not (isinstance(shard, list) and len(shard) == 2 and 0 <= int(shard[0]) < int(shard[1])):
                await self._close(conn, CLOSE_INVALID_SHARD, "Invalid shard.")
                return
            bucket = int(shard[0]) % self.max_concurrency
        else:
            bucket = 0
        now = asyncio.get_running_loop().time()
        last = self.identified_at.get(bucket)
        # a sharded client is held to the IDENTIFY rate Discord enforces (the unsharded tests reconnect faster)
        if shard is not None and last is not None and now - last < IDENTIFY_WINDOW:
            self.identify_rejections += 1
            await self._close(conn, CLOSE_RATE_LIMITED, "You are being rate limited.")
            return
        self.identified_at[bucket] = now
        self.identify_count += 1
        self.identify_payloads.append(data)
        session = GatewaySession(session_id=secrets.token_hex(16), identify=data)
        # a new IDENTIFY replaces the session of its shard (or the one unsharded session): it cannot be resumed
        self.sessions = [s for s in self.sessions if s.shard is not None and s.shard != session.shard]
        self.session = session
        self.sessions.append(session)
        conn.session = session
        state = self.fake.state
        guild_ids = [gid for gid in state.guilds if self._on_shard(session, gid)]
        async with session.lock:
            session.connection = conn
            ready: JSON = {
                "v": 10,
                "user": state.bot_user_payload(),
                "guilds": [{"id": str(gid), "unavailable": True} for gid in guild_ids],
                "session_id": session.session_id,
                "session_type": "normal",
                "resume_gateway_url": self.fake.ws_url,
                "application": {"id": str(state.application_id), "flags": 0},
                "private_channels": [],
                "relationships": [],
                "presences": [],
                "user_settings": {},
                "guild_join_requests": [],
                "geo_ordered_rtc_regions": [],
                "_trace": ["fake-discord"],
            }
            if session.shard is not None:
                ready["shard"] = list(session.shard)
            await self._dispatch_locked(session, "READY", ready)
            for gid in guild_ids:
                await self._dispatch_locked(session, "GUILD_CREATE", state.guild_create_payload(gid))
        await self.fake._notify()

    def _on_shard(self, session: GatewaySession, guild_id: int) -> bool:
        if session.shard is None:
            return True
        shard_id, shard_count = session.shard
        return (guild_id >> 22) % shard_count == shard_id

    async def _resume(self, conn: GatewayConnection, data: JSON) -> None:
        if not self._token_ok(data.get("token")):
            await self._close(conn, CLOSE_AUTHENTICATION_FAILED, "Authentication failed.")
            return
        session = next((s for s in self.sessions if s.session_id == data.get("session_id")), None)
        if session is None:
            self.invalid_resume_count += 1
            await conn.send({"op": OP_INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        client_seq = int(data.get("seq") or 0)
        async with session.lock:
            conn.session = session
            session.connection = conn
            for payload in session.history:
                if payload["s"] > client_seq:
                    await conn.send(payload)
            session.seq += 1
            await conn.send({"op": OP_DISPATCH, "t": "RESUMED", "s": session.seq, "d": {"_trace": ["fake"]}})
            self.resume_count += 1
        await self.fake._notify()

    async def _request_members(self, conn: GatewayConnection, data: JSON) -> None:
        self.member_requests.append(data)
        session = conn.session
        state = self.fake.state
        guild_id = int(data["guild_id"])
        if session is None or guild_id not in state.guilds:
            return
        guild = state.guilds[guild_id]
        user_ids = [int(u) for u in data.get("user_ids") or []]
        query = (data.get("query") or "").lower()
        limit = int(data.get("limit") or 0)
        if user_ids:
            chosen = [uid for uid in user_ids if uid in guild.members]
        else:
            chosen = [uid for uid in guild.members if state.users[uid].username.lower().startswith(query)]
            if limit:
                chosen = chosen[:limit]
        chunk: JSON = {
            "guild_id": str(guild_id),
            "members": [state.member_payload(uid, guild_id) for uid in chosen],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [str(uid) for uid in user_ids if uid not in guild.members],
        }
        if data.get("presences"):
            chunk["presences"] = []
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        await self.dispatch("GUILD_MEMBERS_CHUNK", chunk)
