"""Which addresses the bot may open for a chat member's link: public ones only, checked on the addresses the
connection will actually use (a resolver that refuses, not a lookup before a second lookup)."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from bot.errors import ImportRefused
from bot.i18n import N_, Msg

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def refused_reason(address: IPAddress) -> str | None:
    """Why this address is not one to open for a stranger's link, or None when it is public."""
    if isinstance(address, ipaddress.IPv6Address):
        for embedded in (address.ipv4_mapped, address.sixtofour,
                         address.teredo[1] if address.teredo else None):
            if embedded is not None:
                return refused_reason(embedded)
    if address.is_loopback:
        return N_("a loopback address")
    if address.is_link_local:
        return N_("a link-local address")
    if address.is_multicast:
        return N_("a multicast address")
    if address.is_reserved or address.is_unspecified:
        return N_("a reserved address")
    if address.is_private:
        return N_("a private network address")
    if not address.is_global:
        return N_("a reserved address")
    return None


def check_literal(host: str, allow_private: bool) -> None:
    """A URL whose host is an address never reaches the resolver, so it is checked here."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return
    reason = refused_reason(address)
    if reason and not allow_private:
        raise ImportRefused("That link points to {reason}; I only open public web addresses.", reason=Msg(reason))


class GuardedResolver(AbstractResolver):
    """The system resolver, refusing a name when any address it resolves to is not public."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private
        self.inner = ThreadedResolver()

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
                      ) -> list[ResolveResult]:
        try:
            results = await self.inner.resolve(host, port, family)
        except OSError as err:
            raise ImportRefused("I could not find the site {host}.", host=host) from err
        if not self.allow_private:
            for result in results:
                reason = refused_reason(ipaddress.ip_address(result["host"]))
                if reason:
                    # every address is checked: a name with one public and one private address is refused
                    raise ImportRefused("{host} points to {reason}; I only open public web addresses.", host=host,
                                        reason=Msg(reason))
        return results

    async def close(self) -> None:
        await self.inner.close()


def resolver_kwargs(allow_private: bool) -> dict[str, Any]:
    return {"resolver": GuardedResolver(allow_private)}
