"""The fake's run endpoints: creating a run from a script, laying its events out on the clock,
and the bodies of wait, stream, join and join_stream."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

import orjson

from ._script import UNSET, Pause, RecordedRun, RunEndpoint, Script
from ._state import FakeState, PlayedRun
from ._timeline import StreamFeed, TimedEvent, Timeline, WaitFeed
from ._wire import (
    BUSY,
    JSON_CONTENT_TYPE,
    RUN_NOT_FOUND,
    SSE_CONTENT_TYPE,
    Reply,
    WireError,
    filter_modes,
    is_uuid,
    join_filter,
    json_reply,
    mode_matches,
    now_iso,
    stream_modes,
)


class RunRoutes(FakeState):
    """`/runs/...` and `/threads/{id}/runs/...`."""

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
            endpoint: RunEndpoint = "wait" if rest == ["wait"] else "stream"
            return self._start_run(endpoint, thread_id, body, now)
        if not rest and method == "GET":
            self._get_thread(thread_id)
            runs = [self._run_view(r, now) for r in self._runs.values() if r.thread_id == thread_id]
            runs.reverse()
            offset = int(params.get("offset", ["0"])[0])
            limit = int(params.get("limit", ["10"])[0])
            return json_reply(200, runs[offset : offset + limit])
        if not rest:
            raise WireError(404, "Not Found")
        run_id = rest[0]
        if not is_uuid(run_id):
            raise WireError(422, "Invalid run ID: must be a UUID")
        run = self._runs.get(run_id)
        if run is not None and run.thread_id != thread_id:
            run = None
        action = rest[1:]
        if action == ["join"] and method == "GET":
            return self._join(run, thread_id, run_id, params, now)
        if action == ["stream"] and method == "GET":
            return self._join_stream(run, thread_id, run_id, params, headers, now)
        if thread_id not in self._threads:
            raise WireError(404, f"Thread with ID {thread_id} not found")
        if run is None:
            raise WireError(404, "Run not found")
        if not action and method == "GET":
            return json_reply(200, self._run_view(run, now))
        if not action and method == "DELETE":
            del self._runs[run_id]
            return Reply(204)
        if action == ["cancel"] and method == "POST":
            if not run.timeline.cancel(now):
                detail = "No matching runs to cancel. The run may have already finished."
                raise WireError(404, detail)
            self._settle(now)
            if params.get("action", [""])[0] == "rollback":
                del self._runs[run_id]
            if params.get("wait", [""])[0] == "true":
                return json_reply(200, {})
            return Reply(202)
        raise WireError(404, "Not Found")

    def _start_run(
        self, endpoint: RunEndpoint, thread_id: str | None, body: Any, now: float
    ) -> Reply:
        if not isinstance(body, dict):
            raise WireError(422, "the run body must be a JSON object")
        if not body.get("assistant_id"):
            raise WireError(422, '"assistant_id" is a required property')
        assistant = self._resolve_assistant(str(body["assistant_id"]))
        modes = stream_modes(body.get("stream_mode"))
        temporary = thread_id is None
        if thread_id is not None and thread_id not in self._threads:
            if body.get("if_not_exists") != "create":
                raise WireError(404, "Thread or assistant not found.")
            self._new_thread(thread_id, None)
        start = now
        if thread_id is not None:
            start = self._make_room(thread_id, body.get("multitask_strategy") or "enqueue", now)
        after = body.get("after_seconds")
        if isinstance(after, (int, float)) and after > 0:
            start = max(start, now + after)
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
            raise WireError(
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
            raise WireError(409, BUSY)
        if strategy in ("interrupt", "rollback"):
            for run in busy:
                run.timeline.cancel(now)
            self._settle(now)
            if strategy == "rollback":
                for run in busy:
                    self._runs.pop(run.record["run_id"], None)
            return now
        return max(run.timeline.stop for run in busy)  # enqueue: after the last one

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
    ) -> PlayedRun:
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
            final.append(("values", {**_mapping(result), "__interrupt__": marker}))
        elif result is not None and not any(name == "values" for name, _, _ in timed):
            final.append(("values", result))
        timed += [(name, data, end) for name, data in final]
        subgraphs = bool(body.get("stream_subgraphs"))
        resumable = bool(body.get("stream_resumable"))
        events = [
            TimedEvent(name, data, at, self._event_id(at) if resumable else None)
            for name, data, at in timed
            if mode_matches(name, modes, subgraphs)
        ]
        timeline = Timeline(
            events, start, end, on_disconnect=str(body.get("on_disconnect") or "continue")
        )
        return PlayedRun(
            record=record,
            assistant=assistant,
            thread_id=thread_id,
            temporary=temporary,
            timeline=timeline,
            result=result,
            error=script.error,
            interrupts=interrupts,
            created_at=now_iso(),
        )

    def _run_reply(self, endpoint: RunEndpoint, run: PlayedRun, now: float) -> Reply:
        run_id, thread_id = run.record["run_id"], run.thread_id
        threaded = f"/threads/{quote(thread_id)}/runs/{quote(run_id)}"
        if endpoint == "create":
            where = f"/runs/{quote(run_id)}" if run.temporary else threaded
            return json_reply(200, self._run_view(run, now), [("Content-Location", where)])
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

    def _disconnect_handler(self, run: PlayedRun) -> Callable[[float], None]:
        def disconnected(now: float) -> None:
            # The server cancels a run whose client went away only if asked to.
            with self._lock:
                if run.timeline.on_disconnect == "cancel":
                    run.timeline.cancel(now)

        return disconnected

    def _join(
        self,
        run: PlayedRun | None,
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
            return Reply(200, headers, orjson.dumps({"__error__": RUN_NOT_FOUND}))
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
        run: PlayedRun | None,
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
            data = b"event: error\r\ndata: " + orjson.dumps(RUN_NOT_FOUND) + b"\r\n\r\n"
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
            keep=join_filter(filter_modes(params.get("stream_mode", [""])[0])),
            on_disconnect=self._cancel_handler(run) if cancel else None,
        )
        return Reply(200, reply_headers, feed=feed)

    def _cancel_handler(self, run: PlayedRun) -> Callable[[float], None]:
        def disconnected(now: float) -> None:
            with self._lock:
                run.timeline.cancel(now)

        return disconnected

    def _wait_body(self, run: PlayedRun) -> Any:
        """What `wait` returns once the run ended."""
        self._settle(self.clock())
        if run.record["status"] == "error" and run.error is not None:
            return {"__error__": {"error": run.error[0], "message": run.error[1]}}
        if run.record["status"] == "success" and run.interrupts:
            marker = [{**i, "response_schema": None} for i in run.interrupts]
            return {**_mapping(run.result), "__interrupt__": marker}
        if run.record["status"] == "success" and run.result is not None:
            return run.result
        thread = self._threads.get(run.thread_id)
        return (thread or {}).get("values") or {}

    def _join_body(self, run: PlayedRun) -> Any:
        """What `join` returns once the run ended: the thread's values, an interrupt without
        them, or the error."""
        self._settle(self.clock())
        if run.record["status"] == "error" and run.error is not None:
            return {"__error__": {"error": run.error[0], "message": run.error[1]}}
        thread = self._threads.get(run.thread_id)
        if thread is None:
            return {"__error__": RUN_NOT_FOUND}
        if run.record["status"] == "success" and run.interrupts:
            return {"__interrupt__": [dict(i) for i in run.interrupts]}
        return thread["values"] or {}


def _mapping(values: Any) -> Mapping[str, Any]:
    """Values that can carry `__interrupt__` beside them (a non-dict result cannot)."""
    return values if isinstance(values, Mapping) else {}
