"""Whose request is it: the client's address behind a reverse proxy (issue 16, item 9).

The sign-in throttle counts failures per source. Behind a proxy every request arrives from the proxy's
address, so the source must come from `X-Forwarded-For` — but only when the request really comes from a
proxy we trust: anybody can send that header. The rule, and the only one:

- the socket's peer is not a trusted proxy: the peer is the client, the header is ignored;
- the peer is a trusted proxy: walk `X-Forwarded-For` from the right (each proxy appends the address it
  was called from) past the trusted proxies; the first hop that is not one is the client. Everything to
  its left was written by the client itself and is ignored. Every hop trusted: the leftmost.

Trusted proxies are `BACKOFFICE_TRUSTED_PROXIES`: comma-separated addresses or CIDR networks
(`127.0.0.1`, `10.0.0.0/8`, `::1`); unset or empty trusts none.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

TRUSTED_PROXIES_ENV = "BACKOFFICE_TRUSTED_PROXIES"
LOOPBACK = "127.0.0.1"
MAX_HOP = 100  # a hop that is not an address is kept as text, at most this long

Network = IPv4Network | IPv6Network
Address = IPv4Address | IPv6Address


def parse_trusted_proxies(spec: str | None) -> tuple[Network, ...]:
    """`"127.0.0.1, 10.0.0.0/8, ::1"` → networks (an address is a network of one). Raises ValueError naming
    an entry that is neither, so a typo in the setting stops the app instead of trusting nothing quietly."""
    networks = []
    for entry in (spec or "").split(","):
        entry = entry.strip()
        if not entry:
            continue
        try:
            networks.append(ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(
                f"{TRUSTED_PROXIES_ENV}: {entry!r} is neither an IP address nor a network (such as 10.0.0.0/8)"
            ) from None
    return tuple(networks)


def trusted_proxies(environ: Mapping[str, str] = os.environ) -> tuple[Network, ...]:
    return parse_trusted_proxies(environ.get(TRUSTED_PROXIES_ENV))


def _parse(hop: str) -> Address | None:
    """An address as proxies write it: `1.2.3.4`, `1.2.3.4:5678`, `::1`, `[::1]:443`; IPv4-mapped IPv6 as IPv4."""
    text = hop.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ip_address(text)
    except ValueError:
        return None
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address | None, trusted: Sequence[Network]) -> bool:
    return address is not None and any(address.version == net.version and address in net for net in trusted)


def _text(hop: str, address: Address | None) -> str:
    return str(address) if address is not None else hop.strip()[:MAX_HOP]


def client_address(peer: str | None, forwarded_for: Iterable[str], trusted: Sequence[Network]) -> str:
    """The client's address: `peer` is the socket's (None: a loopback peer, which Streamlit reports as None),
    `forwarded_for` every `X-Forwarded-For` header of the request in order, `trusted` the trusted proxies."""
    peer_text = peer if peer else LOOPBACK
    peer_address = _parse(peer_text)
    loopback_trusted = not peer and _trusted(ip_address("::1"), trusted)
    if not (_trusted(peer_address, trusted) or loopback_trusted):
        return _text(peer_text, peer_address)
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _parse(hop)
        if not _trusted(address, trusted):
            return _text(hop, address)
    if hops:  # every hop is a trusted proxy: the first one is the client
        return _text(hops[0], _parse(hops[0]))
    return _text(peer_text, peer_address)
