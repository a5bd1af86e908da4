"""What only the sync client has: a plain iterator and context manager for streams, the pool's
lifetime under `with`, and calls from threads and from inside a running event loop. (Everything
else runs against both clients in the `both_clients` modules.)"""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from langgraph_client import (
    NotFoundError,
    StreamPart,
    SyncClient,
    SyncLangGraphClient,
    SyncRunStream,
    get_sync_client,
)

from .conftest import BASE_URL, RecordingStream, sse, sse_response

Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture
def sync_client() -> Iterator[Callable[[Handler], tuple[SyncClient, list[httpx.Request]]]]:
    made: list[SyncClient] = []

    def factory(handler: Handler, **kwargs: Any) -> tuple[SyncClient, list[httpx.Request]]:
        requests: list[httpx.Request] = []

        def record(request: httpx.Request) -> httpx.Response:
            requests.append(request)
            return handler(request)

        transport = httpx.MockTransport(record)
        client = get_sync_client(
            url=BASE_URL, api_key=None, http_client=httpx.Client(transport=transport), **kwargs
        )
        made.append(client)
        return client, requests

    yield factory
    for client in made:
        client.close()
        client._http._client.close()


def held(body: RecordingStream) -> Handler:
    return lambda request: sse_response(stream=body, headers={"content-location": "/runs/R"})


PARTS = [sse("metadata", {"run_id": "R"}, id="1-0"), sse("values", 1, id="2-0")]


def test_the_official_sdk_name_is_an_alias() -> None:
    assert SyncLangGraphClient is SyncClient
    client = get_sync_client(url=BASE_URL, api_key=None)
    assert isinstance(client, SyncLangGraphClient)
    client.close()


def test_stream_is_an_iterator_and_a_context_manager(sync_client: Any) -> None:
    body = RecordingStream(PARTS)
    client, _ = sync_client(held(body))
    with client.runs.stream(None, "agent") as stream:
        assert isinstance(stream, SyncRunStream)
        parts = list(stream)
    assert parts == [StreamPart("metadata", {"run_id": "R"}, "1-0"), StreamPart("values", 1, "2-0")]
    assert stream.run_id == "R" and stream.last_event_id == "2-0"
    assert body.closed


def test_leaving_the_with_block_early_closes_the_response(sync_client: Any) -> None:
    body = RecordingStream(PARTS, hold=True)
    client, _ = sync_client(held(body))
    with client.runs.stream(None, "agent") as stream:
        assert next(iter(stream)).event == "metadata"
        assert not body.closed
    assert body.closed


def test_break_releases_the_response_when_the_stream_is_dropped(sync_client: Any) -> None:
    body = RecordingStream(PARTS, hold=True)
    client, _ = sync_client(held(body))
    for _part in client.runs.stream(None, "agent"):
        break
    assert body.closed  # refcounting freed the generator at once
    gc.collect()


def test_close_without_with(sync_client: Any) -> None:
    body = RecordingStream(PARTS, hold=True)
    client, _ = sync_client(held(body))
    stream = client.runs.stream(None, "agent")
    assert next(stream).event == "metadata"
    stream.close()
    assert body.closed
    assert list(stream) == []
    stream.close()  # twice is fine


def test_close_before_iterating_sends_nothing(sync_client: Any) -> None:
    client, requests = sync_client(held(RecordingStream(PARTS)))
    stream = client.runs.stream(None, "agent")
    stream.close()
    assert list(stream) == []
    assert requests == []


def test_close_from_another_thread_ends_the_iteration(sync_client: Any) -> None:
    body = RecordingStream(PARTS, hold=True)
    client, _ = sync_client(held(body))
    stream = client.runs.stream(None, "agent")
    got: list[StreamPart] = []
    started = threading.Event()

    def consume() -> None:
        for part in stream:
            got.append(part)
            if len(got) == 2:
                started.set()

    thread = threading.Thread(target=consume)
    thread.start()
    assert started.wait(5)
    stream.close()
    thread.join(5)
    assert not thread.is_alive()
    assert body.closed and len(got) == 2


def test_with_closes_an_owned_pool_but_not_a_passed_one() -> None:
    with get_sync_client(url=BASE_URL, api_key=None) as client:
        pool = client._http._client
        assert isinstance(pool, httpx.Client) and not pool.is_closed
    assert pool.is_closed
    with httpx.Client() as mine:
        with get_sync_client(url=BASE_URL, api_key=None, http_client=mine):
            pass
        assert not mine.is_closed


def test_with_options_shares_the_pool(sync_client: Any) -> None:
    client, requests = sync_client(lambda r: httpx.Response(200, json={"ok": True}))
    copy = client.with_options(headers={"x-tenant": "t1"}, max_retries=0)
    assert isinstance(copy, SyncClient)
    assert copy.health() == {"ok": True}
    assert requests[0].headers["x-tenant"] == "t1"
    copy.close()
    assert not client._http._client.is_closed


def test_eight_threads_share_one_client(sync_client: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/stream"):
            return sse_response(*PARTS)
        return httpx.Response(200, json={"thread_id": request.url.path.rsplit("/", 1)[-1]})

    client, requests = sync_client(handler)
    results: dict[int, Any] = {}
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            for _ in range(5):
                assert client.threads.get(f"t{i}") == {"thread_id": f"t{i}"}
                with client.runs.stream(f"t{i}", "agent") as stream:
                    results[i] = [p.event for p in stream]
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    assert results == {i: ["metadata", "values"] for i in range(8)}
    assert len(requests) == 80


async def test_called_from_inside_a_running_event_loop(sync_client: Any) -> None:
    """Blocking calls, no event loop of their own: they work from a coroutine (a notebook
    cell, sync code under an async framework) instead of failing on the running loop."""
    asyncio.get_running_loop()
    client, _ = sync_client(
        lambda r: (
            sse_response(*PARTS)
            if r.url.path.endswith("/stream")
            else httpx.Response(404, json={"detail": "no"})
        )
    )
    with pytest.raises(NotFoundError):
        client.threads.get("t")
    assert [p.event for p in client.runs.stream(None, "agent")] == ["metadata", "values"]
