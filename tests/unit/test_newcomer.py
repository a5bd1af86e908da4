"""What a newcomer meets first: a closed client's typed error, connection errors that say where,
and debug logging that can be switched on at any time and shows every final failure."""

from __future__ import annotations

import io
import logging
import os
import socket
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

import langgraph_client
from langgraph_client import (
    APIConnectionError,
    ClientClosedError,
    LangGraphError,
    NotFoundError,
    _logs,
    enable_debug_logging,
    get_client,
)

API_KEY = "lgk-newcomer-secret-0123456789"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # closed again: connecting is refused


@pytest.fixture
def clean_logger() -> Iterator[logging.Logger]:
    logger = logging.getLogger("langgraph_client")
    handlers, level, env = list(logger.handlers), logger.level, _logs._applied_env
    yield logger
    logger.handlers[:] = handlers
    logger.setLevel(level)
    _logs._applied_env = env


async def test_a_closed_client_raises_a_typed_error() -> None:
    client = get_client(url="http://127.0.0.1:9", api_key=None)
    await client.aclose()
    with pytest.raises(ClientClosedError, match="closed") as info:
        await client.health()
    assert isinstance(info.value, LangGraphError) and isinstance(info.value, RuntimeError)
    with pytest.raises(ClientClosedError):
        async with client.runs.stream(None, "agent", input={}) as stream:
            async for _ in stream:
                pass


async def test_a_closed_http_client_of_your_own_raises_the_same() -> None:
    http = httpx.AsyncClient()
    await http.aclose()
    client = get_client(url="http://127.0.0.1:9", api_key=None, http_client=http)
    with pytest.raises(ClientClosedError):
        await client.threads.get("t")


async def test_connection_errors_name_host_and_port() -> None:
    port = _closed_port()
    async with get_client(url=f"http://127.0.0.1:{port}", api_key=None, max_retries=0) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.health()
    assert f"127.0.0.1:{port}" in str(info.value)
    assert "GET /ok" in str(info.value)


async def test_default_ports_are_named_too() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    http = httpx.AsyncClient(transport=httpx.MockTransport(refuse))
    for url, where in (("http://agents.test", "agents.test:80"), ("https://a.test", "a.test:443")):
        client = get_client(url=url, api_key=None, max_retries=0, http_client=http)
        with pytest.raises(APIConnectionError, match=where):
            await client.health()
    await http.aclose()


def _not_found(request: httpx.Request) -> httpx.Response:
    return httpx.Response(404, json={"detail": "Thread not found"})


async def test_enable_debug_logging_after_import_logs_requests_and_final_failures(
    clean_logger: logging.Logger,
) -> None:
    out = io.StringIO()
    returned = enable_debug_logging(stream=out)
    assert returned is clean_logger
    http = httpx.AsyncClient(transport=httpx.MockTransport(_not_found))
    client = get_client(url="http://testserver", api_key=API_KEY, http_client=http)
    with pytest.raises(NotFoundError):
        await client.threads.get("t1")
    await http.aclose()
    text = out.getvalue()
    assert "GET /threads/t1 -> 404" in text
    assert "INFO failed: 404 Not Found for GET /threads/t1: Thread not found" in text
    assert API_KEY not in text


async def test_info_level_logs_only_final_failures(clean_logger: logging.Logger) -> None:
    out = io.StringIO()
    enable_debug_logging("info", stream=out)
    enable_debug_logging("info", stream=out)  # again: still one handler
    assert sum(getattr(h, "_langgraph_client", False) for h in clean_logger.handlers) == 1
    port = _closed_port()
    async with get_client(url=f"http://127.0.0.1:{port}", api_key=None, max_retries=0) as client:
        with pytest.raises(APIConnectionError):
            await client.health()
    lines = out.getvalue().splitlines()
    assert len(lines) == 1 and "failed: connection error" in lines[0], lines
    assert f"127.0.0.1:{port}" in lines[0]


def test_enable_debug_logging_rejects_unknown_levels() -> None:
    with pytest.raises(ValueError, match="debug"):
        enable_debug_logging("verbose")


def test_the_variable_set_after_the_import_is_read_at_first_use() -> None:
    # A notebook imports first and sets the variable later: a new process shows it as a user would.
    script = """
import asyncio, os, httpx, langgraph_client
os.environ["LANGGRAPH_CLIENT_LOG"] = "debug"
async def main():
    http = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(200, json={})))
    client = langgraph_client.get_client(url="http://testserver", api_key=None, http_client=http)
    await client.health()
asyncio.run(main())
"""
    env = {k: v for k, v in os.environ.items() if k != "LANGGRAPH_CLIENT_LOG"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "GET /ok -> 200" in done.stderr


def test_the_debug_switch_is_exported() -> None:
    assert "enable_debug_logging" in langgraph_client.__all__
    assert "ClientClosedError" in langgraph_client.__all__


async def test_uuid_ids_and_run_options_by_name_reach_the_wire() -> None:
    import uuid

    from langgraph_client import RunFailedError

    thread, run, assistant = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/join"):
            return httpx.Response(200, json={"__error__": {"error": "ValueError", "message": "x"}})
        return httpx.Response(200, json={"messages": []})

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    client = get_client(url="http://testserver", api_key=None, http_client=http)
    modes = ["updates", "custom"]
    resume = {"resume": "yes"}
    result = await client.runs.wait(thread, assistant, command=resume, stream_mode=modes)
    assert result == {"messages": []}
    assert seen[0].url.path == f"/threads/{thread}/runs/wait"
    import json

    assert json.loads(seen[0].content) == {
        "assistant_id": str(assistant),
        "command": {"resume": "yes"},
        "stream_mode": ["updates", "custom"],
    }
    with pytest.raises(RunFailedError) as info:
        await client.runs.join(thread, run)
    assert (info.value.run_id, info.value.thread_id) == (str(run), str(thread))
    with pytest.raises(TypeError):
        await client.runs.wait(None, "agent", inptu={})  # type: ignore[call-arg]
    await http.aclose()


def test_a_closed_sync_client_raises_the_typed_error_too() -> None:
    from langgraph_client import get_sync_client

    client = get_sync_client(url="http://127.0.0.1:9", api_key=None)
    client.close()
    with pytest.raises(ClientClosedError):
        client.health()
    with pytest.raises(ClientClosedError), client.runs.stream(None, "agent", input={}) as stream:
        for _ in stream:
            pass


def test_sync_connection_errors_name_host_and_port() -> None:
    from langgraph_client import get_sync_client

    port = _closed_port()
    with (
        get_sync_client(url=f"http://127.0.0.1:{port}", api_key=None, max_retries=0) as client,
        pytest.raises(APIConnectionError, match=f"127.0.0.1:{port}"),
    ):
        client.health()


async def test_a_stream_that_is_finally_lost_is_logged(
    clean_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch
) -> None:
    from langgraph_client import StreamLostError, _retry

    monkeypatch.setattr(_retry, "INITIAL_DELAY", 0.0)

    class Breaks(httpx.AsyncByteStream):
        async def __aiter__(self):  # type: ignore[no-untyped-def]
            yield b"event: metadata\nid: 1\ndata: {}\n\n"
            raise httpx.ReadError("reset")

    def answer(request: httpx.Request) -> httpx.Response:
        headers = {"content-type": "text/event-stream", "content-location": "/threads/t/runs/r"}
        return httpx.Response(200, headers=headers, stream=Breaks())

    out = io.StringIO()
    enable_debug_logging("info", stream=out)
    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    client = get_client(url="http://testserver", api_key=None, http_client=http)
    stream = client.runs.stream("t", "agent", input={}, stream_resumable=True, max_reconnects=1)
    with pytest.raises(StreamLostError):
        async with stream:
            async for _ in stream:
                pass
    await http.aclose()
    assert "failed: stream lost after 1 reconnects" in out.getvalue()
