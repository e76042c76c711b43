"""Sending a body the server refuses for its size, the way curl or a platform's client does.

The Rasa server (Sanic) reads a request body only up to its cap (64 KB, ``SANIC_REQUEST_MAX_SIZE``),
answers 413 and closes the connection. A client still writing the rest of a 1 MB body then gets
``BrokenPipeError`` or ``ConnectionResetError`` on its write, although the 413 is already on its way
back: urllib gives up there (CI saw it, stop 29), which made the tests of the cap fail now and then.
This client stops writing as soon as the answer is there to read, or at the first such error, and reads
the answer the server sent.
"""
from __future__ import annotations

import http.client
import select
import urllib.parse

CHUNK = 16 * 1024


def post_oversized(url: str, body: bytes, headers: dict[str, str] | None = None,
                   timeout: float = 60) -> tuple[int, bytes]:
    """POSTs ``body`` to ``url``; returns the status and body of the server's answer."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.putrequest("POST", parts.path + (f"?{parts.query}" if parts.query else ""))
        for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders()
        try:
            for start in range(0, len(body), CHUNK):
                if select.select([connection.sock], [], [], 0)[0]:
                    break  # the server has answered (413) before reading it all: read the answer now
                connection.sock.sendall(body[start:start + CHUNK])
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading; its answer is waiting in our socket
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()
