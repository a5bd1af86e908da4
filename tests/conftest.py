"""Shared by every test folder: which client (`flavour`) a test runs against (see clients.py),
and on which transport.

`LANGGRAPH_TEST_TRANSPORT=aiohttp` runs every async client the library builds for itself (each
`get_client()` without `http_client=`) on `DefaultAioHttpClient` instead of httpx's own
transport, so the fault-server and real-server suites check both (`scripts/test` does). The
sync client has no aiohttp transport: such a run tests the async flavour only.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest

from tests.clients import parametrize_flavour

TRANSPORT = os.environ.get("LANGGRAPH_TEST_TRANSPORT", "httpx")


def pytest_report_header() -> str:
    return f"client transport: {TRANSPORT}"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if TRANSPORT != "httpx" and "flavour" in metafunc.fixturenames:
        metafunc.parametrize("flavour", ("async",), indirect=True)
        return
    parametrize_flavour(metafunc)


@pytest.fixture
def flavour(request: pytest.FixtureRequest) -> str:
    """ "async" or "sync": which client the test's client fixtures build."""
    return str(getattr(request, "param", "async"))


@pytest.fixture(scope="session", autouse=True)
def _client_transport() -> Iterator[None]:
    if TRANSPORT == "httpx":
        yield
        return
    if TRANSPORT != "aiohttp":
        raise pytest.UsageError(f"LANGGRAPH_TEST_TRANSPORT must be httpx or aiohttp: {TRANSPORT}")
    from langgraph_client import _http
    from langgraph_client._aiohttp import DefaultAioHttpClient

    def own_client(
        timeout: httpx.Timeout,
        limits: httpx.Limits,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> httpx.AsyncClient:
        if transport is not None:  # the in-process transport: no network to put aiohttp on
            return httpx.AsyncClient(timeout=timeout, limits=limits, transport=transport)
        return DefaultAioHttpClient(timeout=timeout, limits=limits)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_http, "_own_client", own_client)
        yield
