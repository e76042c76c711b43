"""Who is on the other end of a request: the client address, behind a proxy or not.

Limits keyed on ids a caller chooses (a REST ``sender``, a new socket) cost an
attacker nothing to rotate; the client address costs more. Behind the shop's
TLS proxy every request comes from the proxy, so the real address is in
``X-Forwarded-For``, but that header is only believed when the request
really comes from a proxy the shop declared (``MADOGUCHI_TRUSTED_PROXIES``);
from anyone else it is a value the attacker wrote.

The address itself is personal data: limits and logs use ``client_key``, an
HMAC of it under the server secret.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Optional

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=16)
def parse_trusted_proxies(value: str) -> tuple[Network, ...]:
    """``"127.0.0.1, 10.0.0.0/8"`` → networks; a bad entry is an error at start-up, not a silent skip."""
    networks = []
    for part in (value or "").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError as error:
            raise ValueError(f"MADOGUCHI_TRUSTED_PROXIES: {part!r} is not an IP address or network") from error
    return tuple(networks)


def _is_trusted(address: str, trusted: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


@dataclass(frozen=True)
class ClientOrigin:
    """Where a request came from, as far as the shop's own proxies vouch for it."""

    address: str
    # "https" when the trusted proxy says the customer's connection was TLS.
    scheme: Optional[str] = None


def client_origin(peer: str, forwarded_for: Optional[str], forwarded_proto: Optional[str],
                  trusted: tuple[Network, ...]) -> ClientOrigin:
    """The client as the nearest untrusted hop in ``X-Forwarded-For``.

    Walks the header from the right (the entry our own proxy appended) past
    every trusted proxy; the first address that is not one of ours is the
    client. Without a trusted peer the header is ignored entirely.
    """
    if not _is_trusted(peer, trusted):
        return ClientOrigin(peer)
    hops = [h.strip() for h in (forwarded_for or "").split(",") if h.strip()]
    address = peer
    for hop in reversed(hops):
        address = hop
        if not _is_trusted(hop, trusted):
            break
    scheme = (forwarded_proto or "").split(",")[0].strip().lower() or None
    return ClientOrigin(address, scheme)


def client_key(secret: bytes, address: str) -> str:
    """A stable, non-reversible key for a client address (for limits and audit lines)."""
    return hmac.new(secret, f"client\x00{address}".encode("utf-8"), hashlib.sha256).hexdigest()
