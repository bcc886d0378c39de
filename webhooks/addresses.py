"""Where a webhook may be sent: public addresses only, unless settings allow private ones.

A URL naming a host on a private, loopback or link-local network would let whoever can edit
endpoints make the server call its own neighbours (server-side request forgery). The host is
resolved and every address it has is checked; the request then goes to the address that was
checked (webhooks/transport.py), so a DNS answer that changes in between cannot redirect it.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings


class UnsafeAddress(Exception):
    """The URL cannot be used for webhooks; the message says why."""


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return address.is_global and not address.is_multicast


def check_url(url: str) -> tuple[str, int, str]:
    """(host, port, address to connect to) for ``url``, or ``UnsafeAddress``."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeAddress("Use an http:// or https:// URL with a host name.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise UnsafeAddress("The port is not a number from 1 to 65535.") from error
    try:
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeAddress(f"The host {parts.hostname} could not be found.") from error
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in found]
    if not settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES:
        for address in addresses:
            if not is_public(address):
                raise UnsafeAddress(
                    f"{parts.hostname} is on a private, loopback or reserved network "
                    f"({address}); webhooks go to public addresses only."
                )
    return parts.hostname, port, str(addresses[0])
