"""One measurement of one contender in a fresh interpreter.

``python -m bench.worker '{"contender": "floor", "task": "stream", "url": ..., "params": {...}}'``
prints one line ``BENCH-RESULT {json}``. Only the standard library is imported up front, so each
contender's process holds just what that contender imports (fair RSS, no shared warm caches).

Every contender does the same work: encode the run request with JSON, decode every response or
event body from JSON into Python objects, and yield ``(event, data, id)`` per event.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import sys
import time
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, ClassVar, Protocol

RESULT_PREFIX = "BENCH-RESULT "
ASSISTANT = "agent"


class Contender(Protocol):
    async def wait(self, run_input: dict[str, Any]) -> Any: ...

    def stream(self, run_input: dict[str, Any]) -> AsyncIterator[Any]: ...

    async def aclose(self) -> None: ...


class LanggraphClient:
    """This project's client, through its public API."""

    def __init__(self, url: str) -> None:
        from langgraph_client import get_client

        self.client = get_client(url=url, api_key=None)

    async def wait(self, run_input: dict[str, Any]) -> Any:
        return await self.client.runs.wait(None, ASSISTANT, input=run_input)

    def stream(self, run_input: dict[str, Any]) -> AsyncIterator[Any]:
        return aiter(
            self.client.runs.stream(None, ASSISTANT, input=run_input, stream_mode="custom")
        )

    async def aclose(self) -> None:
        await self.client.aclose()


class LanggraphClientAiohttp(LanggraphClient):
    """This project's client on its opt-in aiohttp transport, ``DefaultAioHttpClient``."""

    def __init__(self, url: str) -> None:
        from langgraph_client import DefaultAioHttpClient, get_client

        self.http = DefaultAioHttpClient()
        self.client = get_client(url=url, api_key=None, http_client=self.http)

    async def aclose(self) -> None:
        await self.client.aclose()
        await self.http.aclose()


class LanggraphSdk:
    """The incumbent, ``langgraph_sdk``, through its public API."""

    def __init__(self, url: str) -> None:
        from langgraph_sdk import get_client  # type: ignore[import-not-found,unused-ignore]

        self.client = get_client(url=url, api_key=None)

    async def wait(self, run_input: dict[str, Any]) -> Any:
        return await self.client.runs.wait(None, ASSISTANT, input=run_input)

    def stream(self, run_input: dict[str, Any]) -> AsyncIterator[Any]:
        return aiter(
            self.client.runs.stream(None, ASSISTANT, input=run_input, stream_mode="custom")
        )

    async def aclose(self) -> None:
        await self.client.aclose()


class LanggraphClientSync:
    """This project's generated sync client (``get_sync_client``), blocking the worker's loop:
    sequential work only (the runner gives sync contenders no concurrency tasks)."""

    sync = True

    def __init__(self, url: str) -> None:
        from langgraph_client import get_sync_client

        self.client = get_sync_client(url=url, api_key=None)

    async def wait(self, run_input: dict[str, Any]) -> Any:
        return self.client.runs.wait(None, ASSISTANT, input=run_input)

    async def stream(self, run_input: dict[str, Any]) -> AsyncIterator[Any]:
        for part in self.client.runs.stream(None, ASSISTANT, input=run_input, stream_mode="custom"):
            yield part

    async def aclose(self) -> None:
        self.client.close()


class LanggraphSdkSync(LanggraphClientSync):
    """The incumbent's sync client, ``langgraph_sdk.get_sync_client``."""

    def __init__(self, url: str) -> None:
        from langgraph_sdk import get_sync_client  # type: ignore[import-not-found,unused-ignore]

        self.client = get_sync_client(url=url, api_key=None)


class Raw:
    """Hand-written httpx + orjson, with httpx-sse's ``aiter_sse`` for streams."""

    json_headers: ClassVar[dict[str, str]] = {"Content-Type": "application/json"}

    def __init__(self, url: str) -> None:
        import httpx
        import httpx_sse
        import orjson

        self.orjson = orjson
        self.httpx_sse = httpx_sse
        self.client = httpx.AsyncClient(base_url=url)

    def _body(self, run_input: dict[str, Any], **extra: Any) -> bytes:
        return self.orjson.dumps({"assistant_id": ASSISTANT, "input": run_input, **extra})

    async def wait(self, run_input: dict[str, Any]) -> Any:
        response = await self.client.post(
            "/runs/wait", content=self._body(run_input), headers=self.json_headers
        )
        response.raise_for_status()
        return self.orjson.loads(response.content)

    async def stream(self, run_input: dict[str, Any]) -> AsyncIterator[Any]:
        loads = self.orjson.loads
        content = self._body(run_input, stream_mode="custom")
        async with self.httpx_sse.aconnect_sse(
            self.client, "POST", "/runs/stream", content=content, headers=dict(self.json_headers)
        ) as source:
            source.response.raise_for_status()
            async for sse in source.aiter_sse():
                yield (sse.event, loads(sse.data) if sse.data else None, sse.id or None)

    async def aclose(self) -> None:
        await self.client.aclose()


class Floor(Raw):
    """The floor: httpx ``aiter_bytes``, a minimal bytes-level SSE loop, orjson.

    Splits on ``\\n`` and drops a trailing ``\\r`` (so ``\\n`` and ``\\r\\n`` framing; a lone
    ``\\r`` is not handled). Waits are the same code as ``Raw``.
    """

    sse_headers: ClassVar[dict[str, str]] = {
        "Content-Type": "application/json",
        "Accept": "text/event-stream",
        "Cache-Control": "no-store",
    }

    def stream(self, run_input: dict[str, Any]) -> AsyncIterator[Any]:
        return sse_floor(self._chunks(run_input), self.orjson.loads)

    async def _chunks(self, run_input: dict[str, Any]) -> AsyncIterator[bytes]:
        content = self._body(run_input, stream_mode="custom")
        async with self.client.stream(
            "POST", "/runs/stream", content=content, headers=self.sse_headers
        ) as response:
            response.raise_for_status()
            async for chunk in response.aiter_bytes():
                yield chunk


async def sse_floor(chunks: AsyncIterator[bytes], loads: Callable[[bytes], Any]) -> Any:
    """The minimal SSE loop of the floors: ``(event, data, id)`` per event, JSON decoded.

    Splits on ``\\n`` and drops a trailing ``\\r`` (so ``\\n`` and ``\\r\\n`` framing; a lone
    ``\\r`` is not handled); no size limits, no resume bookkeeping.
    """
    pending = b""
    event, data, event_id = "message", b"", None
    has_data = False
    async for chunk in chunks:
        lines = (pending + chunk).split(b"\n")
        pending = lines.pop()
        for line in lines:
            if line[-1:] == b"\r":
                line = line[:-1]
            if not line:
                if has_data:
                    yield (event, loads(data), event_id)
                event, data, has_data = "message", b"", False
                continue
            name, _, value = line.partition(b":")
            if value[:1] == b" ":
                value = value[1:]
            if name == b"data":
                data = data + b"\n" + value if has_data else value
                has_data = True
            elif name == b"event":
                event = value.decode()
            elif name == b"id":
                event_id = value.decode() or None


class RawAsyncio:
    """The physical floor: hand-written HTTP/1.1 on asyncio streams (keep-alive, a list of
    idle connections, chunked decoding), orjson, and the floor's minimal SSE loop. No
    timeouts, no retries, no header parsing beyond what framing needs."""

    def __init__(self, url: str) -> None:
        from urllib.parse import urlsplit

        import orjson

        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.orjson = orjson
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.head = (
            "{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            "Content-Type: application/json\r\nAccept: {accept}\r\n"
            "Content-Length: {length}\r\n\r\n"
        )

    async def _send(
        self, path: str, body: bytes, accept: str
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, dict[bytes, bytes]]:
        if self.idle:
            reader, writer = self.idle.pop()
        else:
            reader, writer = await asyncio.open_connection(self.host, self.port)
        head = self.head.format(
            method="POST",
            path=path,
            host=self.host,
            port=self.port,
            accept=accept,
            length=len(body),
        )
        writer.write(head.encode() + body)
        raw = await reader.readuntil(b"\r\n\r\n")
        status_line, *lines = raw[:-4].split(b"\r\n")
        if status_line[9:12] != b"200":
            writer.close()
            raise RuntimeError(f"status {status_line!r}")
        headers = {}
        for line in lines:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        return reader, writer, headers

    async def _body_chunks(
        self, reader: asyncio.StreamReader, headers: dict[bytes, bytes]
    ) -> AsyncIterator[bytes]:
        if b"content-length" in headers:
            yield await reader.readexactly(int(headers[b"content-length"]))
            return
        while True:  # chunked
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if not size:
                await reader.readuntil(b"\r\n")  # no trailers from this server
                return
            chunk = await reader.readexactly(size + 2)
            yield chunk[:-2]

    async def wait(self, run_input: dict[str, Any]) -> Any:
        body = self.orjson.dumps({"assistant_id": ASSISTANT, "input": run_input})
        reader, writer, headers = await self._send("/runs/wait", body, "application/json")
        content = b"".join([chunk async for chunk in self._body_chunks(reader, headers)])
        self.idle.append((reader, writer))
        return self.orjson.loads(content)

    def stream(self, run_input: dict[str, Any]) -> AsyncIterator[Any]:
        return sse_floor(self._stream_chunks(run_input), self.orjson.loads)

    async def _stream_chunks(self, run_input: dict[str, Any]) -> AsyncIterator[bytes]:
        body = self.orjson.dumps(
            {"assistant_id": ASSISTANT, "input": run_input, "stream_mode": "custom"}
        )
        reader, writer, headers = await self._send("/runs/stream", body, "text/event-stream")
        done = False
        try:
            async for chunk in self._body_chunks(reader, headers):
                yield chunk
            done = True
        finally:
            if done:
                self.idle.append((reader, writer))
            else:
                writer.close()

    async def aclose(self) -> None:
        for _, writer in self.idle:
            writer.close()
        self.idle.clear()


CONTENDERS: dict[str, Callable[[str], Contender]] = {
    "langgraph_client": LanggraphClient,
    "client_aiohttp": LanggraphClientAiohttp,
    "langgraph_sdk": LanggraphSdk,
    "raw": Raw,
    "floor": Floor,
    "asyncio": RawAsyncio,
    "client_sync": LanggraphClientSync,
    "sdk_sync": LanggraphSdkSync,
}


def _rss_kb() -> int:
    """Current resident set size in KiB (Linux), else the peak."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * resource.getpagesize() // 1024
    except (OSError, ValueError, IndexError):
        return _peak_rss_kb()


def _peak_rss_kb() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak


def _error_name(exc: BaseException) -> str:
    return f"{type(exc).__module__}.{type(exc).__qualname__}"


async def _consume(contender: Contender, n: int, size: int) -> tuple[int, bool]:
    """Read one whole stream; return the number of parts and whether they look right."""
    count = 0
    first: Any = None
    last: Any = None
    async for part in contender.stream({"n": n, "size": size}):
        if count == 0:
            first = part
        count += 1
        last = part
    ok = first is not None and first[0] == "metadata" and isinstance(first[1], dict)
    if n:
        ok = ok and last[0] == "custom" and isinstance(last[1], dict) and last[1].get("i") == 0
    return count, ok


def _wait_ok(result: Any) -> bool:
    return isinstance(result, dict) and result.get("x") == 1


async def task_wait(
    contender: Contender, calls: int, warmup: int, rounds: int = 1
) -> dict[str, Any]:
    """``rounds`` timed rounds of ``calls`` sequential waits each."""
    for _ in range(warmup):
        await contender.wait({"x": 1})
    ok = 0
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            ok += _wait_ok(await contender.wait({"x": 1}))
        times.append(time.perf_counter() - start)
    return {"calls": calls * rounds, "per_round": calls, "ok": ok, "times": times}


async def task_stream(
    contender: Contender, n: int, size: int, warmup: int, rounds: int = 1
) -> dict[str, Any]:
    """``rounds`` timed streams of ``n`` events each; peak RSS covers them all."""
    if warmup:
        await _consume(contender, warmup, size)
    rss_start = _rss_kb()
    times = []
    all_ok = True
    events = 0
    for _ in range(rounds):
        start = time.perf_counter()
        events, ok = await _consume(contender, n, size)
        times.append(time.perf_counter() - start)
        all_ok = all_ok and ok and events == n + 1
    return {
        "events": events,
        "expected": n + 1,
        "ok": all_ok,
        "times": times,
        "rss_start_kb": rss_start,
        "rss_peak_kb": _peak_rss_kb(),
    }


def _tally(outcomes: list[Any]) -> tuple[list[Any], dict[str, int]]:
    errors: dict[str, int] = {}
    good = []
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            name = _error_name(outcome)
            errors[name] = errors.get(name, 0) + 1
        else:
            good.append(outcome)
    return good, errors


async def task_concurrent_streams(
    contender: Contender, streams: int, n: int, size: int
) -> dict[str, Any]:
    await _consume(contender, n, size)  # warm-up: imports, first connection
    start = time.perf_counter()
    outcomes = await asyncio.gather(
        *(_consume(contender, n, size) for _ in range(streams)), return_exceptions=True
    )
    times = [time.perf_counter() - start]
    good, errors = _tally(outcomes)
    complete = sum(1 for count, ok in good if ok and count == n + 1)
    return {
        "tasks": streams,
        "complete": complete,
        "events": sum(count for count, _ in good),
        "expected": streams * (n + 1),
        "errors": errors,
        "times": times,
        "rss_peak_kb": _peak_rss_kb(),
    }


async def task_concurrent_waits(contender: Contender, calls: int) -> dict[str, Any]:
    await contender.wait({"x": 1})
    start = time.perf_counter()
    outcomes = await asyncio.gather(
        *(contender.wait({"x": 1}) for _ in range(calls)), return_exceptions=True
    )
    times = [time.perf_counter() - start]
    good, errors = _tally(outcomes)
    return {
        "tasks": calls,
        "complete": sum(1 for result in good if _wait_ok(result)),
        "errors": errors,
        "times": times,
        "rss_peak_kb": _peak_rss_kb(),
    }


async def task_construct(contender: Contender, url: str, calls: int) -> dict[str, Any]:
    """Seconds each further client construction blocks the loop (the first one, which may
    load what every later one shares, was the contender this task was given)."""
    kind: Callable[[str], Contender] = type(contender)
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        made = kind(url)
        times.append(time.perf_counter() - start)
        await made.aclose()
    return {"calls": calls, "times": times}


TASKS: dict[str, Callable[..., Awaitable[dict[str, Any]]]] = {
    "construct": task_construct,
    "wait": task_wait,
    "stream": task_stream,
    "concurrent_streams": task_concurrent_streams,
    "concurrent_waits": task_concurrent_waits,
}


async def _run(spec: dict[str, Any]) -> dict[str, Any]:
    try:
        contender = CONTENDERS[spec["contender"]](spec["url"])
    except ImportError as exc:
        return {"status": "unavailable", "error": f"{_error_name(exc)}: {exc}"}
    try:
        params = dict(spec.get("params", {}))
        if spec["task"] == "construct":
            params["url"] = spec["url"]
        task = TASKS[spec["task"]](contender, **params)
        result = await asyncio.wait_for(task, timeout=spec.get("timeout", 600))
    finally:
        await contender.aclose()
    return {"status": "ok", **result}


def pin_from_env() -> None:
    """Pin this process to the CPUs in ``BENCH_CPUS`` (e.g. ``"0"``), if set and supported."""
    cpus = os.environ.get("BENCH_CPUS", "")
    if cpus and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {int(cpu) for cpu in cpus.split(",")})


def main(argv: list[str]) -> int:
    pin_from_env()
    spec = json.loads(argv[1])
    try:
        result = asyncio.run(_run(spec))
    except Exception as exc:
        traceback.print_exc()
        result = {"status": "error", "error": f"{_error_name(exc)}: {exc}"}
    print(RESULT_PREFIX + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
