"""A minimal canned stand-in for the Agent Server, so the server is never the bottleneck.

A raw ASGI app on uvicorn, bound to 127.0.0.1 on a free port, run in its own process
(``python -m bench.server``) so it never shares the client's CPU time. It serves:

- ``POST .../runs/wait``: a small canned JSON state, with ``Content-Location`` like the real server;
- ``POST .../runs/stream``: SSE, a ``metadata`` event then ``input.n`` ``custom`` events whose
  data is ``input.size`` bytes of JSON, pre-generated and sent in 64 KB chunks;
- ``GET /ok``: a health check.

The child prints its port on stdout, then serves until its stdin closes (so it also stops when
the parent dies) or it is terminated. ``BenchServer`` is the parent's context manager.
"""

from __future__ import annotations

import contextlib
import http.client
import importlib.util
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from types import TracebackType
from typing import Any

import orjson

from bench import payload
from bench.worker import pin_from_env

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

MAX_REQUEST_BODY = 1024 * 1024
MAX_EVENTS = 10_000_000
MAX_EVENT_SIZE = 10 * 1024 * 1024
_OK = b'{"ok":true}'


async def _read_body(receive: Receive) -> bytes:
    body = bytearray()
    while len(body) <= MAX_REQUEST_BODY:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        body += message.get("body", b"")
        if not message.get("more_body", False):
            break
    return bytes(body)


def _stream_params(body: bytes) -> tuple[int, int]:
    """``input.n`` and ``input.size`` from a run request body, clamped to sane bounds."""
    try:
        request = orjson.loads(body) if body else {}
    except orjson.JSONDecodeError:
        request = {}
    run_input = request.get("input") if isinstance(request, dict) else None
    if not isinstance(run_input, dict):
        run_input = {}
    n, size = run_input.get("n", 10), run_input.get("size", 64)
    n = n if isinstance(n, int) else 10
    size = size if isinstance(size, int) else 64
    return min(max(n, 0), MAX_EVENTS), min(max(size, 0), MAX_EVENT_SIZE)


async def _respond(
    send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """The ASGI app: no routing framework, no per-request work beyond reading the body."""
    if scope["type"] != "http":
        return
    path: str = scope["path"]
    body = await _read_body(receive)
    if scope["method"] == "POST" and path.endswith("/runs/wait"):
        await _respond(send, 200, payload.WAIT_HEADERS, payload.WAIT_BODY)
    elif scope["method"] == "POST" and path.endswith("/runs/stream"):
        n, size = _stream_params(body)
        await send(
            {"type": "http.response.start", "status": 200, "headers": payload.STREAM_HEADERS}
        )
        try:
            for chunk in payload.stream_chunks(n, size):
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        except OSError:  # The client went away mid-stream (uvicorn's ClientDisconnected).
            return
    elif path == "/ok":
        headers = [(b"content-type", b"application/json"), (b"content-length", b"11")]
        await _respond(send, 200, headers, _OK)
    else:
        await _respond(send, 404, [(b"content-type", b"application/json")], b'{"detail":"nf"}')


def serve() -> None:
    """Child process entry: bind, print the port, serve until stdin closes."""
    import uvicorn

    pin_from_env()
    fast_loop = importlib.util.find_spec("uvloop") is not None
    fast_http = importlib.util.find_spec("httptools") is not None
    config = uvicorn.Config(
        app,
        loop="uvloop" if fast_loop else "asyncio",
        http="httptools" if fast_http else "h11",
        lifespan="off",
        access_log=False,
        log_level="warning",
        backlog=4096,
        timeout_keep_alive=60,
    )
    server = uvicorn.Server(config)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(4096)
    print(
        sock.getsockname()[1],
        "uvloop" if fast_loop else "asyncio",
        "httptools" if fast_http else "h11",
        flush=True,
    )

    def stop_when_parent_goes() -> None:
        sys.stdin.buffer.read()
        server.should_exit = True

    threading.Thread(target=stop_when_parent_goes, daemon=True).start()
    server.run(sockets=[sock])


class BenchServer:
    """Runs ``bench.server`` in a subprocess; always stopped on exit.

    Example::

        with BenchServer() as server:
            print(server.url)
    """

    def __init__(
        self,
        python: str = sys.executable,
        env: dict[str, str] | None = None,
        start_timeout: float = 30.0,
    ) -> None:
        self.python = python
        self.env = env
        self.start_timeout = start_timeout
        self.url = ""
        self.flavour = ""
        self._proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> BenchServer:
        root = Path(__file__).resolve().parent.parent
        env = dict(os.environ if self.env is None else self.env)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(root), env.get("PYTHONPATH")) if p)
        self._proc = subprocess.Popen(
            [self.python, "-m", "bench.server"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=root,
            env=env,
        )
        try:
            self._await_start()
        except BaseException:
            self.stop()
            raise
        return self

    def _await_start(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        line = self._proc.stdout.readline().decode().split()  # the child prints this first
        if not line:
            raise RuntimeError(f"bench server failed to start (exit code {self._proc.poll()})")
        port = int(line[0])
        self.flavour = "+".join(line[1:])
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + self.start_timeout
        while True:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                conn.request("GET", "/ok")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            finally:
                conn.close()
            if time.monotonic() > deadline or self._proc.poll() is not None:
                raise RuntimeError("bench server did not become ready")
            time.sleep(0.05)

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        with contextlib.suppress(OSError):
            if proc.stdin is not None:
                proc.stdin.close()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        if proc.stdout is not None:
            proc.stdout.close()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        serve()
