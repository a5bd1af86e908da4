"""`FakeAgentServer`: assistants, threads and scripted runs behind the Agent Server's wire format.

Pure state and routing: `handle()` turns a request into a `Reply` (status, headers, and a body
that is either bytes or a `Feed` played over time). The transports in `_transport.py` do the
I/O. The wire details (headers, bodies, replay rules) follow `tests/server/WIRE_NOTES.md`, as
measured on langgraph-api 0.16.7.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, unquote

import orjson

from ._script import (
    UNSET,
    Fault,
    Pause,
    RecordedRequest,
    RecordedRun,
    RunEndpoint,
    Script,
    Step,
    error_pair,
)
from ._timeline import (
    BytesFeed,
    FaultyFeed,
    Feed,
    StreamFeed,
    TimedEvent,
    Timeline,
    WaitFeed,
)

if TYPE_CHECKING:
    import httpx

__all__ = ["FakeAgentServer", "Reply"]

SSE_CONTENT_TYPE = "text/event-stream; charset=utf-8"
JSON_CONTENT_TYPE = "application/json"
STREAM_MODES = frozenset(
    {
        "values",
        "updates",
        "custom",
        "messages",
        "messages-tuple",
        "events",
        "debug",
        "tasks",
        "checkpoints",
    }
)
REDACTED_HEADERS = frozenset({"x-api-key", "authorization"})
# The server's assistant ids for graphs are uuid5(<this namespace>, graph_id): same ids here.
_GRAPH_NAMESPACE = uuid.UUID("6ba7b821-9dad-11d1-80b4-00c04fd430c8")
_RUN_NOT_FOUND = {"error": "HTTPException", "message": "404: Run not found"}
_BUSY = (
    "Thread is already running a task. Wait for it to finish or choose a different "
    "multitask strategy."
)
_HTML_500 = (
    b"<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head>\n"
    b"<body><h1>Internal Server Error</h1><p>The server encountered an unexpected condition."
    b"</p></body></html>\n"
)


@dataclass
class Reply:
    """A response: status and headers, then `body` bytes or a `feed` played over time."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    feed: Feed | None = None
    delay: float = 0.0
    """Seconds of silence before the status line (a stalled server)."""


class _Error(Exception):
    """A request the fake answers with an error status and `{"detail": ...}`."""

    def __init__(self, status: int, detail: Any) -> None:
        self.status = status
        self.detail = detail


@dataclass
class _Run:
    record: RecordedRun
    assistant: dict[str, Any]
    thread_id: str
    """The run's thread: the request's, or a temporary one for a stateless run."""
    temporary: bool
    timeline: Timeline
    result: Any
    error: tuple[str, str] | None
    interrupts: list[dict[str, Any]] | None
    created_at: str
    settled: bool = False


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat()


def _json(status: int, data: Any, headers: Sequence[tuple[str, str]] = ()) -> Reply:
    return Reply(status, [("Content-Type", JSON_CONTENT_TYPE), *headers], orjson.dumps(data))


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _modes(value: Any) -> list[str]:
    if value is None:
        return ["values"]
    modes = [value] if isinstance(value, str) else list(value)
    for mode in modes:
        if mode not in STREAM_MODES:
            raise _Error(422, f"{orjson.dumps(mode).decode()} is not a valid stream mode")
    return [str(m) for m in modes]


def _mode_matches(event_name: str, modes: Sequence[str], subgraphs: bool) -> bool:
    """Whether a run created with `modes` emits an event named `event_name`."""
    base, _, namespace = event_name.partition("|")
    if namespace and not subgraphs:
        return False
    if base in ("metadata", "error"):
        return True
    for mode in modes:
        if mode == "messages":  # the LangChain message events, not the tuples
            if base.startswith("messages/"):
                return True
        elif mode == base or (mode == "messages-tuple" and base == "messages"):
            return True
    return False


def _filter_modes(value: str | None) -> list[str] | None:
    """A rejoin's `?stream_mode=`: one name, or a JSON array of names."""
    if not value:
        return None
    if value.startswith("["):
        try:
            parsed = orjson.loads(value)
        except orjson.JSONDecodeError:
            return [value]
        return [str(v) for v in parsed] if isinstance(parsed, list) else [str(parsed)]
    return [value]


def _join_filter(modes: list[str] | None) -> Callable[[TimedEvent], bool]:
    if modes is None:
        return lambda event: True
    wanted = ["messages" if m.startswith("messages") else m for m in modes]
    return lambda event: (
        event.name.partition("|")[0].partition("/")[0]
        in (
            *wanted,
            "metadata",
            "error",
        )
    )


class FakeAgentServer:
    """An in-process Agent Server that plays scripted runs over the real wire format.

        fake = FakeAgentServer()
        fake.add_assistant("agent")
        fake.on_run("agent", events=[("updates", {"respond": {"text": "hi"}})], result={"n": 1})
        client = get_client(url="http://agent.test", http_client=fake.async_client())

    `heartbeat` is the keep-alive period of streams and waits (the server's is 5 s); `None`
    sends none. `clock` is the time source runs are played on (seconds, monotonic).
    """

    def __init__(
        self,
        *,
        heartbeat: float | None = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.heartbeat = heartbeat
        self.clock = clock
        self._lock = threading.RLock()
        self._assistants: dict[str, dict[str, Any]] = {}
        self._threads: dict[str, dict[str, Any]] = {}
        self._runs: dict[str, _Run] = {}
        self._scripts: list[Script] = []
        self._faults: list[Fault] = []
        self._requests: list[RecordedRequest] = []
        # Event ids are the server's `<milliseconds>-0`: every event of one millisecond
        # shares its id, and a replay after an id skips the others that carry it.
        self._epoch_ms = int(time.time() * 1000) - int(clock() * 1000)

    # ------------------------------------------------------------------ setting the scene

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
            assistant_id = str(uuid.uuid5(_GRAPH_NAMESPACE, graph_id))
        now = _now_iso()
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
        if not _is_uuid(thread_id):
            raise ValueError(f"thread ids are UUIDs on the Agent Server, got {thread_id!r}")
        with self._lock:
            thread = self._new_thread(thread_id, metadata, values)
            return dict(thread)

    def on_run(
        self,
        assistant: str = "*",
        *,
        events: Sequence[Step] | Callable[[RecordedRun], Sequence[Step]] = (),
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

    # ------------------------------------------------------------------ faults

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
            body, content_type = _HTML_500, "text/html; charset=utf-8"
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

    # ------------------------------------------------------------------ what happened

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

    # ------------------------------------------------------------------ clients

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

    # ------------------------------------------------------------------ requests

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
        if body:
            try:
                parsed = orjson.loads(body)
            except orjson.JSONDecodeError:
                parsed = None
        with self._lock:
            now = self.clock()
            fault = next((f for f in self._faults if f.matches(method, path)), None)
            if fault is not None:
                fault.used += 1
            if fault is not None and fault.kind == "status":
                reply = Reply(
                    fault.status,
                    [("Content-Type", fault.content_type), *fault.headers.items()],
                    fault.body,
                )
            else:
                self._settle(now)
                try:
                    if body and parsed is None:
                        raise _Error(422, "Request body is not valid JSON")
                    reply = self._route(method, segments, params, lowered, parsed, now)
                except _Error as exc:
                    reply = _json(exc.status, {"detail": exc.detail})
            self._requests.append(
                RecordedRequest(
                    method=method,
                    path=path,
                    query=params,
                    json=parsed,
                    headers={
                        k: ("***" if k in REDACTED_HEADERS else v) for k, v in lowered.items()
                    },
                    body=body,
                    status=reply.status,
                )
            )
        if fault is not None and fault.kind != "status":
            reply = _with_fault(reply, fault)
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
            return _json(200, {"ok": True})
        if method == "GET" and seg == ["info"]:
            return _json(200, {"version": "fake", "flags": {"assistants": True}})
        if head == "assistants":
            return self._assistant_route(method, seg, body)
        if head == "threads":
            if n == 1 and method == "POST":
                return self._create_thread(body or {})
            if n == 2 and method == "POST" and seg[1] in ("search", "count"):
                return self._search_threads(seg[1], body or {})
            if n >= 2:
                thread_id = seg[1]
                if not _is_uuid(thread_id):
                    raise _Error(422, "Invalid thread ID: must be a UUID")
                if n >= 3 and seg[2] == "runs":
                    return self._thread_runs_route(method, seg, params, headers, body, now)
                return self._thread_route(method, seg, body, now)
        if head == "runs":
            if n == 1 and method == "POST":
                return self._start_run("create", None, body, now)
            if n == 2 and method == "POST" and seg[1] in ("wait", "stream"):
                return self._start_run(seg[1], None, body, now)  # type: ignore[arg-type]
        raise _Error(404, "Not Found")

    # ------------------------------------------------------------------ assistants

    def _assistant_route(self, method: str, seg: list[str], body: Any) -> Reply:
        if seg == ["assistants"] and method == "POST":
            body = body or {}
            graph_id = body.get("graph_id")
            if not graph_id:
                raise _Error(422, '"graph_id" is a required property')
            existing = self._assistants.get(str(body.get("assistant_id")))
            if existing is not None:
                if body.get("if_exists") == "do_nothing":
                    return _json(200, existing)
                raise _Error(409, f"Assistant {existing['assistant_id']} already exists")
            created = self.add_assistant(
                graph_id,
                assistant_id=body.get("assistant_id") or str(uuid.uuid4()),
                name=body.get("name"),
                config=body.get("config"),
                context=body.get("context"),
                metadata=body.get("metadata") or {},
            )
            return _json(200, created)
        if len(seg) == 2 and method == "POST" and seg[1] in ("search", "count"):
            body = body or {}
            found = [
                a
                for a in self._assistants.values()
                if (not body.get("graph_id") or a["graph_id"] == body["graph_id"])
                and _subset(body.get("metadata"), a["metadata"])
            ]
            if seg[1] == "count":
                return _json(200, len(found))
            return _page(found, body)
        if len(seg) == 2:
            if not _is_uuid(seg[1]):
                raise _Error(422, "Invalid assistant ID: must be a UUID")
            assistant = self._assistants.get(seg[1])
            if assistant is None:
                raise _Error(404, "Not Found")
            if method == "GET":
                return _json(200, assistant)
            if method == "DELETE":
                del self._assistants[seg[1]]
                return Reply(204)
        raise _Error(404, "Not Found")

    def _resolve_assistant(self, name: str) -> dict[str, Any]:
        assistant = self._assistants.get(name)
        if assistant is not None:
            return assistant
        for candidate in self._assistants.values():
            if candidate["graph_id"] == name:
                return candidate
        graphs = ", ".join(sorted({a["graph_id"] for a in self._assistants.values()}))
        raise _Error(
            422,
            f"Invalid assistant: '{name}'. Must be either:\n- A valid assistant UUID, or\n"
            f"- One of the registered graphs: {graphs}",
        )

    # ------------------------------------------------------------------ threads

    def _new_thread(
        self,
        thread_id: str,
        metadata: Mapping[str, Any] | None,
        values: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        now = _now_iso()
        thread: dict[str, Any] = {
            "thread_id": thread_id,
            "created_at": now,
            "updated_at": now,
            "state_updated_at": now,
            "metadata": dict(metadata or {}),
            "status": "idle",
            "config": {},
            "values": dict(values) if values is not None else None,
            "error": None,
            "interrupts": {},
        }
        self._threads[thread_id] = thread
        return thread

    def _get_thread(self, thread_id: str) -> dict[str, Any]:
        thread = self._threads.get(thread_id)
        if thread is None:
            raise _Error(404, f"Thread with ID {thread_id} not found")
        return thread

    def _thread_view(self, thread: dict[str, Any]) -> dict[str, Any]:
        view = dict(thread)
        if self._busy_runs(thread["thread_id"], self.clock()):
            view["status"] = "busy"
        return view

    def _create_thread(self, body: Mapping[str, Any]) -> Reply:
        thread_id = body.get("thread_id") or str(uuid.uuid4())
        if not _is_uuid(thread_id):
            raise _Error(422, "Invalid thread ID: must be a UUID")
        if thread_id in self._threads:
            if body.get("if_exists") == "do_nothing":
                return _json(200, self._thread_view(self._threads[thread_id]))
            raise _Error(409, f"Thread with ID {thread_id} already exists")
        return _json(200, self._thread_view(self._new_thread(thread_id, body.get("metadata"))))

    def _search_threads(self, action: str, body: Mapping[str, Any]) -> Reply:
        found = [
            self._thread_view(t)
            for t in self._threads.values()
            if _subset(body.get("metadata"), t["metadata"])
            and _subset(body.get("values"), t["values"] or {})
        ]
        if body.get("status"):
            found = [t for t in found if t["status"] == body["status"]]
        if action == "count":
            return _json(200, len(found))
        return _page(found, body)

    def _thread_route(self, method: str, seg: list[str], body: Any, now: float) -> Reply:
        thread = self._get_thread(seg[1])
        rest = seg[2:]
        if not rest:
            if method == "GET":
                return _json(200, self._thread_view(thread))
            if method == "DELETE":
                del self._threads[seg[1]]
                return Reply(204)
            if method == "PATCH":
                thread["metadata"].update((body or {}).get("metadata") or {})
                thread["updated_at"] = _now_iso()
                return _json(200, self._thread_view(thread))
        if rest == ["state"] and method == "GET":
            return _json(200, self._state(thread))
        if rest == ["state"] and method == "POST":
            values = (body or {}).get("values")
            if isinstance(values, Mapping):
                thread["values"] = {**(thread["values"] or {}), **values}
            thread["state_updated_at"] = thread["updated_at"] = _now_iso()
            return _json(200, {"checkpoint": self._state(thread)["checkpoint"]})
        if rest == ["history"] and method == "POST":
            return _json(200, [self._state(thread)])
        raise _Error(404, "Not Found")

    def _state(self, thread: dict[str, Any]) -> dict[str, Any]:
        interrupts = [i for found in thread["interrupts"].values() for i in found]
        checkpoint = {
            "checkpoint_id": str(uuid.uuid5(_GRAPH_NAMESPACE, thread["state_updated_at"])),
            "thread_id": thread["thread_id"],
            "checkpoint_ns": "",
        }
        tasks = [
            {"id": task_id, "name": "interrupted", "path": [], "error": None, "interrupts": found}
            for task_id, found in thread["interrupts"].items()
        ]
        return {
            "values": thread["values"] or {},
            "next": ["interrupted"] if interrupts else [],
            "tasks": tasks,
            "metadata": thread["metadata"],
            "created_at": thread["state_updated_at"],
            "checkpoint": checkpoint,
            "parent_checkpoint": None,
            "interrupts": interrupts,
            "checkpoint_id": checkpoint["checkpoint_id"],
            "parent_checkpoint_id": None,
        }

    # ------------------------------------------------------------------ runs

    def _thread_runs_route(
        self,
        method: str,
        seg: list[str],
        params: dict[str, list[str]],
        headers: dict[str, str],
        body: Any,
        now: float,
    ) -> Reply:
        thread_id, rest = seg[1], seg[3:]
        if not rest and method == "POST":
            return self._start_run("create", thread_id, body, now)
        if rest in (["wait"], ["stream"]) and method == "POST":
            return self._start_run(rest[0], thread_id, body, now)  # type: ignore[arg-type]
        if not rest and method == "GET":
            self._get_thread(thread_id)
            runs = [self._run_view(r, now) for r in self._runs.values() if r.thread_id == thread_id]
            runs.reverse()
            offset = int(params.get("offset", ["0"])[0])
            limit = int(params.get("limit", ["10"])[0])
            return _json(200, runs[offset : offset + limit])
        if not rest:
            raise _Error(404, "Not Found")
        run_id = rest[0]
        if not _is_uuid(run_id):
            raise _Error(422, "Invalid run ID: must be a UUID")
        run = self._runs.get(run_id)
        if run is not None and run.thread_id != thread_id:
            run = None
        action = rest[1:]
        if action == ["join"] and method == "GET":
            return self._join(run, thread_id, run_id, params, now)
        if action == ["stream"] and method == "GET":
            return self._join_stream(run, thread_id, run_id, params, headers, now)
        if thread_id not in self._threads:
            raise _Error(404, f"Thread with ID {thread_id} not found")
        if run is None:
            raise _Error(404, "Run not found")
        if not action and method == "GET":
            return _json(200, self._run_view(run, now))
        if not action and method == "DELETE":
            del self._runs[run_id]
            return Reply(204)
        if action == ["cancel"] and method == "POST":
            if not run.timeline.cancel(now):
                raise _Error(404, "No matching runs to cancel. The run may have already finished.")
            self._settle(now)
            if params.get("action", [""])[0] == "rollback":
                del self._runs[run_id]
            if params.get("wait", [""])[0] == "true":
                return _json(200, {})
            return Reply(202)
        raise _Error(404, "Not Found")

    def _start_run(
        self, endpoint: RunEndpoint, thread_id: str | None, body: Any, now: float
    ) -> Reply:
        if not isinstance(body, dict):
            raise _Error(422, "the run body must be a JSON object")
        if not body.get("assistant_id"):
            raise _Error(422, '"assistant_id" is a required property')
        assistant = self._resolve_assistant(str(body["assistant_id"]))
        modes = _modes(body.get("stream_mode"))
        temporary = thread_id is None
        if thread_id is not None and thread_id not in self._threads:
            if body.get("if_not_exists") != "create":
                raise _Error(404, "Thread or assistant not found.")
            self._new_thread(thread_id, None)
        start = now
        if thread_id is not None:
            start = self._make_room(thread_id, body.get("multitask_strategy") or "enqueue", now)
        run_id = str(uuid.uuid4())
        record: RecordedRun = {
            "run_id": run_id,
            "thread_id": thread_id or str(uuid.uuid4()),
            "stateless": temporary,
            "assistant_id": str(body["assistant_id"]),
            "endpoint": endpoint,
            "input": body.get("input"),
            "command": body.get("command"),
            "stream_mode": modes,
            "body": body,
            "status": "pending",
        }
        names = {assistant["assistant_id"], assistant["graph_id"]}
        script = next((s for s in self._scripts if s.accepts(names, record)), None)
        if script is None:
            raise _Error(
                500,
                f"FakeAgentServer has no script for this run of {body['assistant_id']!r}: "
                f"call fake.on_run({assistant['graph_id']!r}, ...) first",
            )
        script.used += 1
        thread_id = record["thread_id"]
        if temporary:
            self._new_thread(thread_id, None)
        self._threads[thread_id]["metadata"].setdefault("graph_id", assistant["graph_id"])
        self._threads[thread_id]["metadata"].setdefault("assistant_id", assistant["assistant_id"])
        run = self._play(script, record, assistant, thread_id, temporary, modes, body, start)
        self._runs[run_id] = run
        return self._run_reply(endpoint, run, now)

    def _event_id(self, at: float) -> str:
        return f"{self._epoch_ms + int(at * 1000)}-0"

    def _make_room(self, thread_id: str, strategy: str, now: float) -> float:
        """Apply the multitask strategy to a busy thread; return when the new run starts."""
        busy = self._busy_runs(thread_id, now)
        if not busy:
            return now
        if strategy == "reject":
            raise _Error(409, _BUSY)
        if strategy in ("interrupt", "rollback"):
            for run in busy:
                run.timeline.cancel(now)
            self._settle(now)
            if strategy == "rollback":
                for run in busy:
                    self._runs.pop(run.record["run_id"], None)
            return now
        return max(run.timeline.stop for run in busy)  # enqueue: after the last one

    def _busy_runs(self, thread_id: str, now: float) -> list[_Run]:
        return [
            r
            for r in self._runs.values()
            if r.thread_id == thread_id and not r.temporary and not r.timeline.finished(now)
        ]

    def _play(
        self,
        script: Script,
        record: RecordedRun,
        assistant: dict[str, Any],
        thread_id: str,
        temporary: bool,
        modes: list[str],
        body: Mapping[str, Any],
        start: float,
    ) -> _Run:
        """Lay the script's events out on the clock, as the run with these options emits them."""
        run_id = record["run_id"]
        scripted = list(script.events(record) if callable(script.events) else script.events)
        result = script.result(record) if callable(script.result) else script.result
        if result is None:  # the last values event is the run's output
            values = [e[1] for e in scripted if not isinstance(e, Pause) and e[0] == "values"]
            result = values[-1] if values else None
        interrupts = None
        if script.interrupt is not UNSET:
            value = script.interrupt
            value = value(record) if callable(value) else value
            interrupts = [{"value": value, "id": uuid.uuid4().hex}]
        step = max(script.interval, 0.0)
        metadata = {"run_id": run_id, "attempt": 1}
        timed: list[tuple[str, Any, float]] = [("metadata", metadata, start)]
        at = start
        for item in scripted:
            if isinstance(item, Pause):
                at += max(item.seconds, 0.0)
                continue
            at += step
            timed.append((item[0], item[1], at))
        end = at + step
        final: list[tuple[str, Any]] = []
        if script.error is not None:
            final.append(("error", {"error": script.error[0], "message": script.error[1]}))
        elif interrupts is not None:
            marker = [{**i, "response_schema": None} for i in interrupts]
            final.append(("updates", {"__interrupt__": marker}))
            final.append(("values", {**(result or {}), "__interrupt__": marker}))
        elif result is not None and not any(name == "values" for name, _, _ in timed):
            final.append(("values", result))
        timed += [(name, data, end) for name, data in final]
        subgraphs = bool(body.get("stream_subgraphs"))
        resumable = bool(body.get("stream_resumable"))
        events = [
            TimedEvent(name, data, at, self._event_id(at) if resumable else None)
            for name, data, at in timed
            if _mode_matches(name, modes, subgraphs)
        ]
        timeline = Timeline(
            events, start, end, on_disconnect=str(body.get("on_disconnect") or "continue")
        )
        return _Run(
            record=record,
            assistant=assistant,
            thread_id=thread_id,
            temporary=temporary,
            timeline=timeline,
            result=result,
            error=script.error,
            interrupts=interrupts,
            created_at=_now_iso(),
        )

    def _run_reply(self, endpoint: RunEndpoint, run: _Run, now: float) -> Reply:
        run_id, thread_id = run.record["run_id"], run.thread_id
        threaded = f"/threads/{quote(thread_id)}/runs/{quote(run_id)}"
        if endpoint == "create":
            where = f"/runs/{quote(run_id)}" if run.temporary else threaded
            return _json(200, self._run_view(run, now), [("Content-Location", where)])
        if endpoint == "wait":
            return Reply(
                200,
                [
                    ("Content-Type", JSON_CONTENT_TYPE),
                    ("Content-Location", threaded),
                    ("Location", threaded + "/join"),
                ],
                feed=WaitFeed(
                    self._lock,
                    run.timeline,
                    now,
                    self.heartbeat,
                    lambda: orjson.dumps(self._wait_body(run)),
                    on_disconnect=self._disconnect_handler(run),
                ),
            )
        base = f"/runs/{quote(run_id)}" if run.temporary else threaded
        return Reply(
            200,
            [
                ("Content-Type", SSE_CONTENT_TYPE),
                ("Content-Location", base),
                ("Location", base + "/stream"),
            ],
            feed=StreamFeed(
                self._lock,
                run.timeline,
                0,
                now,
                self.heartbeat,
                on_disconnect=self._disconnect_handler(run),
            ),
        )

    def _disconnect_handler(self, run: _Run) -> Callable[[float], None]:
        def disconnected(now: float) -> None:
            # The server cancels a run whose client went away only if asked to.
            with self._lock:
                if run.timeline.on_disconnect == "cancel":
                    run.timeline.cancel(now)

        return disconnected

    def _join(
        self,
        run: _Run | None,
        thread_id: str,
        run_id: str,
        params: dict[str, list[str]],
        now: float,
    ) -> Reply:
        where = f"/threads/{quote(thread_id)}/runs/{quote(run_id)}"
        headers = [
            ("Content-Type", JSON_CONTENT_TYPE),
            ("Content-Location", where),
            ("Location", where + "/join"),
        ]
        if run is None:
            return Reply(200, headers, orjson.dumps({"__error__": _RUN_NOT_FOUND}))
        cancel = params.get("cancel_on_disconnect", [""])[0] == "true"
        return Reply(
            200,
            headers,
            feed=WaitFeed(
                self._lock,
                run.timeline,
                now,
                self.heartbeat,
                lambda: orjson.dumps(self._join_body(run)),
                on_disconnect=self._cancel_handler(run) if cancel else None,
            ),
        )

    def _join_stream(
        self,
        run: _Run | None,
        thread_id: str,
        run_id: str,
        params: dict[str, list[str]],
        headers: dict[str, str],
        now: float,
    ) -> Reply:
        where = f"/threads/{quote(thread_id)}/runs/{quote(run_id)}"
        reply_headers = [
            ("Content-Type", SSE_CONTENT_TYPE),
            ("Content-Location", where),
            ("Location", where + "/stream"),
        ]
        if run is None:
            data = b"event: error\r\ndata: " + orjson.dumps(_RUN_NOT_FOUND) + b"\r\n\r\n"
            return Reply(200, reply_headers, data)
        events = run.timeline.events
        last_id = headers.get("last-event-id")
        resumable = any(e.id is not None for e in events)
        if last_id is None or not resumable:
            # No Last-Event-ID: live events only; without stored events nothing is replayed.
            position = next((i for i, e in enumerate(events) if e.at > now), len(events))
        elif last_id == "-1":
            position = 0
        else:
            position = next(
                (i for i, e in enumerate(events) if e.id is not None and e.id > last_id),
                len(events),
            )
        cancel = params.get("cancel_on_disconnect", [""])[0] == "true"
        feed = StreamFeed(
            self._lock,
            run.timeline,
            position,
            now,
            self.heartbeat,
            keep=_join_filter(_filter_modes(params.get("stream_mode", [""])[0])),
            on_disconnect=self._cancel_handler(run) if cancel else None,
        )
        return Reply(200, reply_headers, feed=feed)

    def _cancel_handler(self, run: _Run) -> Callable[[float], None]:
        def disconnected(now: float) -> None:
            with self._lock:
                run.timeline.cancel(now)

        return disconnected

    # ------------------------------------------------------------------ outcomes

    def _settle(self, now: float) -> None:
        """Apply every run that has ended by `now` to its thread, in the order they ended."""
        ended = sorted(
            (r for r in self._runs.values() if not r.settled and r.timeline.finished(now)),
            key=lambda r: r.timeline.stop,
        )
        for run in ended:
            run.settled = True
            thread = self._threads.get(run.thread_id)
            if run.timeline.cancelled(now):
                run.record["status"] = "interrupted"
                status = "interrupted"
            elif run.error is not None:
                run.record["status"] = "error"
                status = "error"
            else:
                run.record["status"] = "success"
                status = "interrupted" if run.interrupts else "idle"
                if thread is not None:
                    if run.result is not None:
                        thread["values"] = dict(run.result)
                    task = str(uuid.uuid4())
                    thread["interrupts"] = {task: run.interrupts} if run.interrupts else {}
            if thread is not None:
                thread["status"] = status
                thread["updated_at"] = thread["state_updated_at"] = _now_iso()
                if run.temporary and run.record["body"].get("on_completion") != "keep":
                    del self._threads[run.thread_id]
        for run in self._runs.values():
            if not run.settled:
                started = now >= run.timeline.start
                run.record["status"] = "running" if started else "pending"

    def _run_view(self, run: _Run, now: float) -> dict[str, Any]:
        body = run.record["body"]
        return {
            "run_id": run.record["run_id"],
            "thread_id": run.thread_id,
            "assistant_id": run.assistant["assistant_id"],
            "metadata": dict(body.get("metadata") or {}),
            "status": run.record["status"],
            "kwargs": {
                "input": body.get("input"),
                "command": body.get("command"),
                "config": body.get("config") or {},
                "context": body.get("context") or {},
                "stream_mode": run.record["stream_mode"],
                "temporary": run.temporary,
                "subgraphs": bool(body.get("stream_subgraphs")),
                "resumable": bool(body.get("stream_resumable")),
            },
            "multitask_strategy": body.get("multitask_strategy") or "enqueue",
            "created_at": run.created_at,
            "updated_at": run.created_at,
        }

    def _wait_body(self, run: _Run) -> Any:
        """What `wait` returns once the run ended."""
        self._settle(self.clock())
        if run.record["status"] == "error" and run.error is not None:
            return {"__error__": {"error": run.error[0], "message": run.error[1]}}
        if run.record["status"] == "success" and run.interrupts:
            marker = [{**i, "response_schema": None} for i in run.interrupts]
            return {**(run.result or {}), "__interrupt__": marker}
        if run.record["status"] == "success" and run.result is not None:
            return run.result
        thread = self._threads.get(run.thread_id)
        return (thread or {}).get("values") or {}

    def _join_body(self, run: _Run) -> Any:
        """What `join` returns once the run ended: the thread's values, an interrupt without
        them, or the error."""
        self._settle(self.clock())
        if run.record["status"] == "error" and run.error is not None:
            return {"__error__": {"error": run.error[0], "message": run.error[1]}}
        thread = self._threads.get(run.thread_id)
        if thread is None:
            return {"__error__": _RUN_NOT_FOUND}
        if run.record["status"] == "success" and run.interrupts:
            return {"__interrupt__": [dict(i) for i in run.interrupts]}
        return thread["values"] or {}


def _subset(wanted: Any, have: Mapping[str, Any]) -> bool:
    if not wanted:
        return True
    return all(have.get(k) == v for k, v in dict(wanted).items())


def _page(items: list[dict[str, Any]], body: Mapping[str, Any]) -> Reply:
    offset = int(body.get("offset") or 0)
    limit = int(body.get("limit") or 10)
    page = items[offset : offset + limit]
    headers = [("X-Pagination-Total", str(len(items)))]
    if offset + limit < len(items):
        headers.append(("X-Pagination-Next", str(offset + limit)))
    return _json(200, page, headers)


def _with_fault(reply: Reply, fault: Fault) -> Reply:
    """The same response, broken as `fault` says."""
    if fault.after_events is None:  # a stall before the status line
        reply.delay += fault.seconds
        return reply
    feed = reply.feed if reply.feed is not None else BytesFeed(reply.body)
    reply.feed = FaultyFeed(
        feed, fault.after_events, drop=fault.kind == "drop", stall=fault.seconds
    )
    reply.body = b""
    return reply
