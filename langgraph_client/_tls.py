"""One TLS context per process: building one loads the CA bundle (~20-30 ms of blocking work).

httpx builds a fresh `ssl.SSLContext` for every client it constructs, even for `http://` URLs,
so a program that calls `get_client()` per request or per tenant paid that each time, on the
event loop. Every client of this library, async and sync, shares the context built here
instead. It is the one httpx would build (certifi's CAs, or `SSL_CERT_FILE` / `SSL_CERT_DIR`
when set), so verification is unchanged. An `SSLContext` is safe to share across threads.
"""

from __future__ import annotations

import os
import ssl
import threading

import httpx

__all__ = ["shared_context"]

_lock = threading.Lock()
_cache: dict[tuple[str | None, str | None], ssl.SSLContext] = {}


def shared_context() -> ssl.SSLContext:
    """The process's verifying TLS context, built on first use (rebuilt if the CA variables
    httpx honours change)."""
    key = (os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
    context = _cache.get(key)
    if context is None:
        with _lock:  # two threads building clients at once build it once
            context = _cache.get(key)
            if context is None:
                context = _cache[key] = httpx.create_ssl_context()
    return context
