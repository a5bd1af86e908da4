"""`FakeAgentServer`: assistants, threads and scripted runs behind the Agent Server's wire format.

Pure state and routing: `handle()` turns a request into a `Reply` (status, headers, and a body
that is either bytes or a `Feed` played over time); the transports in `_transport.py` do the
I/O. Runs live in `_runs.py`, the state in `_state.py`, response shapes in `_wire.py`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote

import orjson

from ._runs import RunRoutes
from ._script import (
    UNSET,
    Fault,
    RecordedRequest,
    RecordedRun,
    RunEndpoint,
    Script,
    ScriptItem,
    error_pair,
)
from ._wire import (
    GRAPH_NAMESPACE,
    HTML_500,
    JSON_CONTENT_TYPE,
    REDACTED_HEADERS,
    Reply,
    WireError,
    is_uuid,
    json_reply,
    now_iso,
    page,
    subset,
    with_fault,
)

if TYPE_CHECKING:
    import httpx

__all__ = ["FakeAgentServer"]


class FakeAgentServer(RunRoutes):
    """An in-process Agent Server that plays scripted runs over the real wire format.

        fake = FakeAgentServer()
        fake.add_assistant("agent")
        fake.on_run("agent", events=[("updates", {"respond": {"text": "hi"}})], result={"n": 1})
        client = get_client(url="http://agent.test", http_client=fake.async_client())

    `heartbeat` is the keep-alive period of streams and waits (the server's is 5 s); `None`
    sends none. `clock` is the time source runs are played on (seconds, monotonic).
    """

    def add_assistant(
        self,
        graph_id: str,
        *,
        assistant_id: str | None = None,
        name: str | None = None,
        config: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Register an assistant for `graph_id`; runs may name it by id or by graph name.

        Its id defaults to the one the real server gives a graph's default assistant."""
        if assistant_id is None:
            assistant_id = str(uuid.uuid5(GRAPH_NAMESPACE, graph_id))
        now = now_iso()
        assistant: dict[str, Any] = {
            "assistant_id": assistant_id,
            "graph_id": graph_id,
            "config": dict(config or {}),
            "context": dict(context or {}),
            "metadata": dict(metadata or {"created_by": "system"}),
            "name": name or graph_id,
            "created_at": now,
            "updated_at": now,
            "version": 1,
            "description": None,
        }
        with self._lock:
            self._assistants[assistant_id] = assistant
        return dict(assistant)

    def add_thread(
        self,
        thread_id: str | None = None,
        *,
        values: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Create a thread (id: a new UUID unless given), optionally with state `values`."""
        thread_id = thread_id or str(uuid.uuid4())
        if not is_uuid(thread_id):
            raise ValueError(f"thread ids are UUIDs on the Agent Server, got {thread_id!r}")
        with self._lock:
            thread = self._new_thread(thread_id, metadata, values)
            return dict(thread)

    def on_run(
        self,
        assistant: str = "*",
        *,
        events: Sequence[ScriptItem] | Callable[[RecordedRun], Sequence[ScriptItem]] = (),
        result: Any = None,
        error: BaseException | tuple[str, str] | str | None = None,
        interrupt: Any = UNSET,
        interval: float = 0.0,
        times: int | None = None,
        match: Callable[[RecordedRun], bool] | None = None,
    ) -> Script:
        """Script the runs of `assistant` (a graph name or assistant id; `"*"`: any).

        - `events`: `(name, data)` pairs streamed in order (filtered by the run's stream modes;
          `metadata` comes first by itself). Names are stream modes (`values`, `updates`,
          `custom`, `messages`, `messages/partial`, ...), `mode|node:task` for subgraphs.
          A `Pause(seconds)` among them makes the run take that long before the next one.
          A callable gets the `RecordedRun` (its `input`, `command`) and returns them.
        - `result`: the run's final values (what `wait`/`join` return and the thread keeps;
          default: the last `values` event); a callable gets the `RecordedRun`. A `values`
          event with it ends the stream unless `events` has `values` events of its own.
        - `error`: the run fails: an exception or `(type, message)`; streams end with an
          `error` event, `wait` returns `{"__error__": ...}` (the client raises `RunFailedError`).
        - `interrupt`: the run stops at an interrupt with this value (`__interrupt__` in the
          values; the thread becomes `interrupted`; a callable gets the `RecordedRun`); resume
          it with a run whose `command` is `{"resume": ...}`, scripted by another `on_run`.
        - `interval`: seconds before each event and before the end (a run that takes time).
        - `times`: how many runs this script plays (`None`: all); `match(run)` picks runs.

        The first script (in the order added) that fits a run plays it.
        """
        script = Script(
            assistant=assistant,
            events=events,
            result=result,
            error=None if error is None else error_pair(error),
            interrupt=interrupt,
            interval=interval,
            times=times,
            match=match,
        )
        with self._lock:
            self._scripts.append(script)
        return script

    def fail(
        self,
        status: int,
        *,
        method: str = "*",
        path: str = "*",
        retry_after: float | None = None,
        json: Any = UNSET,
        html: bool = False,
        times: int | None = 1,
    ) -> None:
        """Answer the next `times` requests matching `method` and `path` (a glob such as
        `/threads/*/runs/wait`) with `status` instead: JSON `{"detail": ...}` (or `json`),
        or an HTML error page; `retry_after` adds a `Retry-After` header (seconds)."""
        headers: dict[str, str] = {}
        if retry_after is not None:
            headers["Retry-After"] = f"{retry_after:g}"
        if html:
            body, content_type = HTML_500, "text/html; charset=utf-8"
        else:
            data = {"detail": f"injected {status}"} if json is UNSET else json
            body, content_type = orjson.dumps(data), JSON_CONTENT_TYPE
        self._add_fault(
            Fault(
                "status",
                method,
                path,
                times,
                status=status,
                headers=headers,
                body=body,
                content_type=content_type,
            )
        )

    def drop(
        self,
        *,
        after_events: int = 0,
        method: str = "*",
        path: str = "*",
        times: int | None = 1,
    ) -> None:
        """Break the connection of the next matching responses after `after_events` events
        (a stream's events, or a wait's body counting as one): the client sees a broken read."""
        self._add_fault(Fault("drop", method, path, times, after_events=after_events))

    def stall(
        self,
        seconds: float,
        *,
        after_events: int | None = 0,
        method: str = "*",
        path: str = "*",
        times: int | None = 1,
    ) -> None:
        """Go silent (no bytes, no heartbeats) for `seconds` after `after_events` events of the
        next matching responses; `after_events=None` stalls before the status line. Silence
        past the request's read timeout raises `httpx.ReadTimeout` in the client."""
        self._add_fault(
            Fault("stall", method, path, times, after_events=after_events, seconds=seconds)
        )

    def _add_fault(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received, in order (API keys redacted)."""
        with self._lock:
            return list(self._requests)

    @property
    def runs(self) -> list[RecordedRun]:
        """Every run started, in order, with its status as of now."""
        with self._lock:
            self._settle(self.clock())
            return [run.record for run in self._runs.values()]

    def thread(self, thread_id: str) -> dict[str, Any]:
        """A thread as `GET /threads/{id}` returns it now (`KeyError` if unknown)."""
        with self._lock:
            self._settle(self.clock())
            return self._thread_view(self._threads[thread_id])

    @property
    def threads(self) -> list[dict[str, Any]]:
        """Every thread now, oldest first (stateless runs' temporary threads included while
        they exist)."""
        with self._lock:
            self._settle(self.clock())
            return [self._thread_view(t) for t in self._threads.values()]

    def async_transport(self) -> httpx.AsyncBaseTransport:
        """An `httpx` async transport answering from this fake."""
        from ._transport import AsyncFakeTransport

        return AsyncFakeTransport(self)

    def transport(self) -> httpx.BaseTransport:
        """An `httpx` sync transport answering from this fake."""
        from ._transport import FakeTransport

        return FakeTransport(self)

    def async_client(self, **kwargs: Any) -> httpx.AsyncClient:
        """An `httpx.AsyncClient` wired to this fake: pass it as `get_client(http_client=...)`."""
        import httpx

        kwargs.setdefault("base_url", "http://agent.test")
        return httpx.AsyncClient(transport=self.async_transport(), **kwargs)

    def client(self, **kwargs: Any) -> httpx.Client:
        """An `httpx.Client` wired to this fake, for the sync client."""
        import httpx

        kwargs.setdefault("base_url", "http://agent.test")
        return httpx.Client(transport=self.transport(), **kwargs)

    def handle(
        self, method: str, raw_path: str, query: str, headers: Mapping[str, str], body: bytes
    ) -> Reply:
        """Answer one request (the transports call this)."""
        method = method.upper()
        segments = [unquote(s) for s in raw_path.split("/")[1:]]
        path = "/" + "/".join(segments)
        params = parse_qs(query, keep_blank_values=True)
        lowered = {k.lower(): v for k, v in headers.items()}
        parsed: Any = None
        bad_json = False
        if body:
            try:
                parsed = orjson.loads(body)
            except orjson.JSONDecodeError:
                bad_json = True
        redacted = {k: ("***" if k in REDACTED_HEADERS else v) for k, v in lowered.items()}
        with self._lock:
            now = self.clock()
            fault = next((f for f in self._faults if f.matches(method, path)), None)
            if fault is not None:
                fault.used += 1
            status = 0  # recorded as such if a script's callable raises
            try:
                if fault is not None and fault.kind == "status":
                    headers_out = [("Content-Type", fault.content_type), *fault.headers.items()]
                    reply = Reply(fault.status, headers_out, fault.body)
                else:
                    self._settle(now)
                    try:
                        if bad_json:
                            raise WireError(422, "Request body is not valid JSON")
                        reply = self._route(method, segments, params, lowered, parsed, now)
                    except WireError as exc:
                        reply = json_reply(exc.status, {"detail": exc.detail})
                status = reply.status
            finally:
                record = RecordedRequest(method, path, params, parsed, redacted, body, status)
                self._requests.append(record)
        if fault is not None and fault.kind != "status":
            reply = with_fault(reply, fault)
        return reply

    def _route(
        self,
        method: str,
        seg: list[str],
        params: dict[str, list[str]],
        headers: dict[str, str],
        body: Any,
        now: float,
    ) -> Reply:
        n = len(seg)
        head = seg[0] if seg else ""
        if method == "GET" and seg == ["ok"]:
            return json_reply(200, {"ok": True})
        if method == "GET" and seg == ["info"]:
            return json_reply(200, {"version": "fake", "flags": {"assistants": True}})
        if head == "assistants":
            return self._assistant_route(method, seg, body)
        if head == "threads":
            if n == 1 and method == "POST":
                return self._create_thread(body or {})
            if n == 2 and method == "POST" and seg[1] in ("search", "count"):
                return self._search_threads(seg[1], body or {})
            if n >= 2:
                thread_id = seg[1]
                if not is_uuid(thread_id):
                    raise WireError(422, "Invalid thread ID: must be a UUID")
                if n >= 3 and seg[2] == "runs":
                    return self._thread_runs_route(method, seg, params, headers, body, now)
                return self._thread_route(method, seg, body, now)
        if head == "runs":
            if n == 1 and method == "POST":
                return self._start_run("create", None, body, now)
            if n == 2 and method == "POST" and seg[1] in ("wait", "stream"):
                endpoint: RunEndpoint = "wait" if seg[1] == "wait" else "stream"
                return self._start_run(endpoint, None, body, now)
        raise WireError(404, "Not Found")

    def _assistant_route(self, method: str, seg: list[str], body: Any) -> Reply:
        if seg == ["assistants"] and method == "POST":
            body = body or {}
            graph_id = body.get("graph_id")
            if not graph_id:
                raise WireError(422, '"graph_id" is a required property')
            existing = self._assistants.get(str(body.get("assistant_id")))
            if existing is not None:
                if body.get("if_exists") == "do_nothing":
                    return json_reply(200, existing)
                raise WireError(409, f"Assistant {existing['assistant_id']} already exists")
            created = self.add_assistant(
                graph_id,
                assistant_id=body.get("assistant_id") or str(uuid.uuid4()),
                name=body.get("name"),
                config=body.get("config"),
                context=body.get("context"),
                metadata=body.get("metadata") or {},
            )
            return json_reply(200, created)
        if len(seg) == 2 and method == "POST" and seg[1] in ("search", "count"):
            body = body or {}
            found = [
                a
                for a in self._assistants.values()
                if (not body.get("graph_id") or a["graph_id"] == body["graph_id"])
                and subset(body.get("metadata"), a["metadata"])
            ]
            if seg[1] == "count":
                return json_reply(200, len(found))
            return page(found, body)
        if len(seg) == 2:
            if not is_uuid(seg[1]):
                raise WireError(422, "Invalid assistant ID: must be a UUID")
            assistant = self._assistants.get(seg[1])
            if assistant is None:
                raise WireError(404, "Not Found")
            if method == "GET":
                return json_reply(200, assistant)
            if method == "DELETE":
                del self._assistants[seg[1]]
                return Reply(204)
        raise WireError(404, "Not Found")

    def _create_thread(self, body: Mapping[str, Any]) -> Reply:
        thread_id = body.get("thread_id") or str(uuid.uuid4())
        if not is_uuid(thread_id):
            raise WireError(422, "Invalid thread ID: must be a UUID")
        if thread_id in self._threads:
            if body.get("if_exists") == "do_nothing":
                return json_reply(200, self._thread_view(self._threads[thread_id]))
            raise WireError(409, f"Thread with ID {thread_id} already exists")
        return json_reply(200, self._thread_view(self._new_thread(thread_id, body.get("metadata"))))

    def _search_threads(self, action: str, body: Mapping[str, Any]) -> Reply:
        found = [
            self._thread_view(t)
            for t in self._threads.values()
            if subset(body.get("metadata"), t["metadata"])
            and subset(body.get("values"), t["values"] or {})
        ]
        if body.get("status"):
            found = [t for t in found if t["status"] == body["status"]]
        if action == "count":
            return json_reply(200, len(found))
        return page(found, body)

    def _thread_route(self, method: str, seg: list[str], body: Any, now: float) -> Reply:
        thread = self._get_thread(seg[1])
        rest = seg[2:]
        if not rest:
            if method == "GET":
                return json_reply(200, self._thread_view(thread))
            if method == "DELETE":
                del self._threads[seg[1]]
                return Reply(204)
            if method == "PATCH":
                thread["metadata"].update((body or {}).get("metadata") or {})
                thread["updated_at"] = now_iso()
                return json_reply(200, self._thread_view(thread))
        if rest == ["state"] and method == "GET":
            return json_reply(200, self._state(thread))
        if rest == ["state"] and method == "POST":
            values = (body or {}).get("values")
            if isinstance(values, Mapping):
                thread["values"] = {**(thread["values"] or {}), **values}
            thread["state_updated_at"] = thread["updated_at"] = now_iso()
            return json_reply(200, {"checkpoint": self._state(thread)["checkpoint"]})
        if rest == ["history"] and method == "POST":
            return json_reply(200, [self._state(thread)])
        raise WireError(404, "Not Found")
