"""One POST to a webhook endpoint, to the address that was checked, with no redirects followed.

http.client rather than a higher-level client: the connection must go to the address that
``check_url`` approved (a second DNS lookup could answer differently), TLS must still verify
the certificate for the host name, and a redirect must never be followed to somewhere else.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from webhooks.addresses import UnsafeAddress, check_url

USER_AGENT = "Newsroom-Webhooks/1"
RESPONSE_EXCERPT_BYTES = 1000


@dataclass(frozen=True)
class Outcome:
    status: int | None  # the HTTP status, None when no answer came
    error: str  # "" when the endpoint answered 2xx
    response: str  # the start of the answer's body, for the delivery log
    milliseconds: int

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> Outcome:
    started = time.monotonic()

    def outcome(status, error, response=""):
        elapsed = int((time.monotonic() - started) * 1000)
        return Outcome(status, error[:300], response, elapsed)

    try:
        host, port, address = check_url(url)
    except UnsafeAddress as error:
        return outcome(None, str(error))
    parts = urlsplit(url)
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
    # Connect to the checked address; Host and TLS server name stay the URL's host.
    connection._create_connection = lambda _address, *args: socket.create_connection(
        (address, port), *args
    )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={
                **headers,
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
            },
        )
        answer = connection.getresponse()
        excerpt = answer.read(RESPONSE_EXCERPT_BYTES).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException) as error:
        return outcome(
            None, f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        )
    finally:
        connection.close()
    if 200 <= answer.status < 300:
        return outcome(answer.status, "", excerpt)
    return outcome(answer.status, f"HTTP {answer.status} {answer.reason}", excerpt)
