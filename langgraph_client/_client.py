"""`get_client` and `Client`: configuration, sub-clients, and the pool's lifetime."""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

import httpx

from ._concurrency import inprocess_transport
from ._config import (
    DEFAULT_STREAM_IDLE_TIMEOUT,
    DEFAULT_TIMEOUT,
    DEFAULT_URL,
    NOT_GIVEN,
    NotGiven,
    OnRequest,
    TimeoutTypes,
    resolve_api_key,
)
from ._http import AsyncHttpClient
from ._logs import setup_logging
from ._retry import ReconnectPolicy
from ._routes import HttpRoutes
from .runs import RunsClient

if TYPE_CHECKING:  # annotations only: importing langgraph_client stays light
    from .assistants import AssistantsClient
    from .crons import CronClient
    from .store import StoreClient
    from .threads import ThreadsClient
    from .types import ServerInfo

__all__ = ["Client", "get_client"]


class Client:
    """A client for one Agent Server: `runs`, `threads`, `assistants`, `crons`, `store`.

    Use it as `async with get_client(...) as client:` or call `await client.aclose()`.
    """

    runs: RunsClient
    """Create, stream, wait for, join and cancel runs."""

    http: HttpRoutes
    """Any route of the server (custom routes too): `get`, `post`, `put`, `patch`, `delete`,
    `stream`; `client.http.client` is the `httpx` client underneath."""

    def __init__(self, http: AsyncHttpClient) -> None:
        self._http = http
        self.http = HttpRoutes(http)
        self.runs = RunsClient(http)
        # The other sub-clients load on first use: most programs only run graphs, and
        # `import langgraph_client` should cost little more than `import httpx`.
        self._threads: ThreadsClient | None = None
        self._assistants: AssistantsClient | None = None
        self._crons: CronClient | None = None
        self._store: StoreClient | None = None

    @property
    def threads(self) -> ThreadsClient:
        """Threads and their state."""
        if self._threads is None:
            from .threads import ThreadsClient

            self._threads = ThreadsClient(self._http)
        return self._threads

    @property
    def assistants(self) -> AssistantsClient:
        """Assistants (configured graphs)."""
        if self._assistants is None:
            from .assistants import AssistantsClient

            self._assistants = AssistantsClient(self._http)
        return self._assistants

    @property
    def crons(self) -> CronClient:
        """Scheduled runs."""
        if self._crons is None:
            from .crons import CronClient

            self._crons = CronClient(self._http)
        return self._crons

    @property
    def store(self) -> StoreClient:
        """The long-term key-value store."""
        if self._store is None:
            from .store import StoreClient

            self._store = StoreClient(self._http)
        return self._store

    def with_options(
        self,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        headers: Mapping[str, str] | None = None,
        stream_idle_timeout: float | NotGiven | None = NOT_GIVEN,
        reconnect: ReconnectPolicy | NotGiven = NOT_GIVEN,
    ) -> Client:
        """A client sharing this one's connections, with other defaults: per-call options.

        await client.with_options(max_retries=0, timeout=10).threads.get(thread_id)
        """
        return Client(
            self._http.copy(
                timeout=timeout,
                max_retries=max_retries,
                headers=headers,
                stream_idle_timeout=stream_idle_timeout,
                reconnect=reconnect,
            )
        )

    async def health(self, *, timeout: TimeoutTypes | NotGiven = NOT_GIVEN) -> dict[str, Any]:
        """`GET /ok`: raises a typed error unless the server is up."""
        result: dict[str, Any] = await self._http.request("GET", "/ok", timeout=timeout)
        return result

    async def info(self, *, timeout: TimeoutTypes | NotGiven = NOT_GIVEN) -> ServerInfo:
        """`GET /info`: the server's version and enabled features."""
        result: ServerInfo = await self._http.request("GET", "/info", timeout=timeout)
        return result

    async def aclose(self) -> None:
        """Close the connection pool (a pool passed in as `http_client` is left open)."""
        await self._http.aclose()

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        key = "set" if self._http.has_api_key else "none"
        url = self._http.base_url.copy_with(username=None, password=None)  # no userinfo
        return f"<Client url={str(url)!r} api_key={key}>"


def get_client(
    *,
    url: str | None = None,
    api_key: str | NotGiven | None = NOT_GIVEN,
    headers: Mapping[str, str] | None = None,
    timeout: TimeoutTypes = DEFAULT_TIMEOUT,
    max_retries: int = 2,
    http_client: httpx.AsyncClient | None = None,
    limits: httpx.Limits | None = None,
    stream_idle_timeout: float | None = DEFAULT_STREAM_IDLE_TIMEOUT,
    reconnect: ReconnectPolicy | None = None,
    on_request: OnRequest | None = None,
) -> Client:
    """A `Client` for the Agent Server at `url`.

    - `url`: the server's base URL; by default http://localhost:8123, except in a graph that an
      Agent Server runs, where the async client calls that same server in-process.
    - `api_key`: sent as `x-api-key`; by default read from LANGGRAPH_API_KEY, LANGSMITH_API_KEY or
      LANGCHAIN_API_KEY; pass `None` to send none and read no environment.
    - `timeout`: seconds, an `httpx.Timeout`, or a `(connect, read, write, pool)` tuple;
      `None` (as in the official SDK) means the defaults: connect 5 s, read 300 s, write
      300 s, pool 60 s. For no limit at all pass `httpx.Timeout(None)`.
    - `max_retries`: retries of transient failures (see docs/reliability.md); 0 disables them.
    - `stream_idle_timeout`: a stream silent this long (no event, no heartbeat) counts as broken.
    - `reconnect`: how long a broken stream, `wait` or `join` keeps trying to reach its run
      (`ReconnectPolicy`: by default 90 s without progress, waits from 0.5 s up to 4 s).
    - `http_client`: your own `httpx.AsyncClient` (proxies, TLS, limits); not closed by `aclose`.
    - `on_request`: called with each outgoing `httpx.Request` (every retry, stream resume and
      rejoin too) to set headers such as a fresh token; a coroutine function is awaited.

        client = get_client(url="http://127.0.0.1:2024")
    """
    setup_logging()  # LANGGRAPH_CLIENT_LOG may have been set after the import
    transport = None
    if http_client is None:
        url, transport = inprocess_transport(url)
    http = AsyncHttpClient(
        base_url=url or DEFAULT_URL,
        api_key=resolve_api_key(api_key),
        headers=headers,
        timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
        max_retries=max_retries,
        http_client=http_client,
        limits=limits,
        stream_idle_timeout=stream_idle_timeout,
        reconnect=reconnect,
        on_request=on_request,
        transport=transport,
    )
    return Client(http)
