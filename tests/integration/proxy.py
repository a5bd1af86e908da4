"""A TCP proxy on 127.0.0.1 that a test can cut, to break a real server's connection mid-run."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct


class CuttableProxy:
    """Forwards connections to `target`; `cut()` resets every open client connection at once.

    `cut_after_bytes` cuts each connection automatically once that many response bytes
    went through (the first connection only, when `once` is set), so the break lands mid-body.
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.cut_after_bytes: int | None = None
        self.once = True
        self.cuts = 0
        self.connections = 0
        self._writers: set[asyncio.StreamWriter] = set()
        self._server: asyncio.Server | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> CuttableProxy:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 5)

    async def down(self) -> None:
        """The server becomes unreachable: open connections reset, new ones refused (the port
        stops listening), until `up()`."""
        self.cut()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 5)
            self._server = None

    async def up(self) -> None:
        """Listen again on the same port."""
        if self._server is None:
            self._server = await asyncio.start_server(
                self._handle, "127.0.0.1", self.port, reuse_address=True
            )

    def cut(self) -> None:
        """Reset all client-side connections (RST, not a clean close)."""
        for writer in list(self._writers):
            _reset(writer)
        self._writers.clear()

    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            server_r, server_w = await asyncio.open_connection(*self.target)
        except OSError:
            _reset(client_w)
            return
        self._writers.add(client_w)
        limit = self.cut_after_bytes if (not self.once or self.cuts == 0) else None

        async def upstream() -> None:
            with contextlib.suppress(OSError, ConnectionError):
                while data := await client_r.read(65536):
                    server_w.write(data)
                    await server_w.drain()
            server_w.close()

        async def downstream() -> None:
            sent = 0
            with contextlib.suppress(OSError, ConnectionError):
                while data := await server_r.read(65536):
                    if limit is not None and sent + len(data) >= limit:
                        client_w.write(data[: max(limit - sent, 0)])
                        await client_w.drain()
                        self.cuts += 1
                        _reset(client_w)
                        return
                    sent += len(data)
                    client_w.write(data)
                    await client_w.drain()
            client_w.close()

        tasks = [asyncio.ensure_future(upstream()), asyncio.ensure_future(downstream())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            server_w.close()
            self._writers.discard(client_w)


def _reset(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
