"""python-telegram-bot's network layer on aiohttp instead of httpx.

PTB makes its transport swappable (`telegram.request.BaseRequest`); its default, httpx, spends about half
of the bot's CPU per message in its connection pool (every request scans every pooled connection and asks
each socket for its peer address). aiohttp's pool is a per-host deque and its HTTP parser is C, so the same
send costs much less. PTB still builds every request and parses every answer; this only moves bytes.

Timeouts map onto aiohttp's: `connect_timeout` bounds opening a socket, `pool_timeout` plus that bounds
getting a connection, `read_timeout` bounds each wait for the answer. aiohttp has no separate write timeout,
so a request's total time is capped at the sum of all four instead.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from adapters.telegram.internals import DefaultValue, ODVInput

JSON_HEADERS = {"Content-Type": "application/json"}


class AiohttpRequest(BaseRequest):
    __slots__ = ("_connect", "_media_write", "_pool", "_pool_size", "_read", "_session", "_write")

    def __init__(self, connection_pool_size: int = 16, read_timeout: float | None = 5.0,
                 write_timeout: float | None = 5.0, connect_timeout: float | None = 5.0,
                 pool_timeout: float | None = 1.0, media_write_timeout: float | None = 20.0) -> None:
        self._pool_size = connection_pool_size
        self._read, self._write, self._connect, self._pool = read_timeout, write_timeout, connect_timeout, pool_timeout
        self._media_write = media_write_timeout
        self._session: aiohttp.ClientSession | None = None  # made in initialize(): it needs a running loop

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=self._pool_size,
                                             enable_cleanup_closed=False)
            self._session = aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar(),
                                                  headers={"User-Agent": self.USER_AGENT})

    @property
    def is_open(self) -> bool:
        return self._session is not None and not self._session.closed

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
                         write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
                         connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
                         pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        files = request_data.multipart_data if request_data is not None else None
        read = self._read if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = self._connect if isinstance(connect_timeout, DefaultValue) else connect_timeout
        pool = self._pool if isinstance(pool_timeout, DefaultValue) else pool_timeout
        write = ((self._media_write if files else self._write) if isinstance(write_timeout, DefaultValue)
                 else write_timeout)
        parts = (read, write, connect, pool)
        timeout = aiohttp.ClientTimeout(
            total=None if None in parts else sum(p for p in parts if p is not None),
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect, sock_read=read)
        body: Any = None
        headers = None
        if files:
            body = _multipart(request_data, files)  # type: ignore[arg-type]  # files come from request_data
        elif request_data is not None and request_data.parameters:
            # one JSON document (the Bot API takes it) instead of a form of separately encoded fields
            body, headers = json.dumps(request_data.parameters).encode(), JSON_HEADERS
        try:
            async with self._session.request(method, url, data=body, headers=headers, timeout=timeout) as resp:
                return resp.status, await resp.read()
        except TimeoutError as err:  # aiohttp's ServerTimeoutError is one of these
            raise TimedOut(f"Telegram did not answer in time ({type(err).__name__})") from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err


def _multipart(request_data: RequestData, files: dict[str, Any]) -> aiohttp.FormData:
    form = aiohttp.FormData(quote_fields=False)
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, part in files.items():
        filename, content, mimetype = part
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
