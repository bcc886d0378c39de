"""Bytes on the wire: each page's body as sent plain, gzip-compressed and brotli-compressed."""

from __future__ import annotations

import http.client

from bench.loadgen import parse_target

ENCODINGS = {"identity": "identity", "gzip": "gzip", "br": "br, gzip"}


def body_size(url: str, accept_encoding: str) -> tuple[int, str]:
    """(bytes of the body as sent, its Content-Encoding) for one GET of ``url``."""
    target = parse_target(url)
    connection = http.client.HTTPConnection(target.host, target.port, timeout=30)
    try:
        connection.request("GET", target.path, headers={"Accept-Encoding": accept_encoding})
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{url} answered {response.status}")
        return len(body), response.getheader("Content-Encoding") or "identity"
    finally:
        connection.close()


def wire_sizes(base_url: str, paths: dict[str, str]) -> dict[str, dict[str, int]]:
    """{page: {"identity": bytes, "gzip": bytes, "br": bytes}}; a coding the server did not
    apply is recorded at its uncompressed size."""
    sizes = {}
    for name, path in paths.items():
        sizes[name] = {}
        for label, header in ENCODINGS.items():
            size, coding = body_size(base_url + path, header)
            sizes[name][label] = size
            sizes[name][f"{label}_sent_as"] = coding
    return sizes
