"""Suite-wide switches.

`LANGGRAPH_TEST_TRANSPORT=aiohttp` runs every client the library builds for itself (each
`get_client()` without `http_client=`) on `DefaultAioHttpClient` instead of httpx's own
transport, so the fault-server and real-server suites check both (`scripts/test` does).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest

TRANSPORT = os.environ.get("LANGGRAPH_TEST_TRANSPORT", "httpx")


def pytest_report_header() -> str:
    return f"client transport: {TRANSPORT}"


@pytest.fixture(scope="session", autouse=True)
def _client_transport() -> Iterator[None]:
    if TRANSPORT == "httpx":
        yield
        return
    if TRANSPORT != "aiohttp":
        raise pytest.UsageError(f"LANGGRAPH_TEST_TRANSPORT must be httpx or aiohttp: {TRANSPORT}")
    from langgraph_client import _http
    from langgraph_client._aiohttp import DefaultAioHttpClient

    def own_client(timeout: httpx.Timeout, limits: httpx.Limits) -> httpx.AsyncClient:
        return DefaultAioHttpClient(timeout=timeout, limits=limits)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_http, "_own_client", own_client)
        yield
