"""The fake's state: assistants, threads and runs, and how ended runs change their threads."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ._script import Fault, RecordedRequest, RecordedRun, Script
from ._timeline import Timeline
from ._wire import GRAPH_NAMESPACE, WireError, now_iso


@dataclass
class PlayedRun:
    """A run the fake started: its script laid out on the clock, and how it ends."""

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


class FakeState:
    """Assistants, threads, runs, scripts, faults and the request log, under one lock."""

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
        self._runs: dict[str, PlayedRun] = {}
        self._scripts: list[Script] = []
        self._faults: list[Fault] = []
        self._requests: list[RecordedRequest] = []
        # Event ids are the server's `<milliseconds>-0`: every event of one millisecond
        # shares its id, and a replay after an id skips the others that carry it.
        self._epoch_ms = int(time.time() * 1000) - int(clock() * 1000)

    def _resolve_assistant(self, name: str) -> dict[str, Any]:
        assistant = self._assistants.get(name)
        if assistant is not None:
            return assistant
        for candidate in self._assistants.values():
            if candidate["graph_id"] == name:
                return candidate
        graphs = ", ".join(sorted({a["graph_id"] for a in self._assistants.values()}))
        raise WireError(
            422,
            f"Invalid assistant: '{name}'. Must be either:\n- A valid assistant UUID, or\n"
            f"- One of the registered graphs: {graphs}",
        )

    def _new_thread(
        self,
        thread_id: str,
        metadata: Mapping[str, Any] | None,
        values: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        now = now_iso()
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
            raise WireError(404, f"Thread with ID {thread_id} not found")
        return thread

    def _thread_view(self, thread: dict[str, Any]) -> dict[str, Any]:
        view = dict(thread)
        if self._busy_runs(thread["thread_id"], self.clock()):
            view["status"] = "busy"
        return view

    def _state(self, thread: dict[str, Any]) -> dict[str, Any]:
        interrupts = [i for found in thread["interrupts"].values() for i in found]
        checkpoint = {
            "checkpoint_id": str(uuid.uuid5(GRAPH_NAMESPACE, thread["state_updated_at"])),
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

    def _busy_runs(self, thread_id: str, now: float) -> list[PlayedRun]:
        return [
            r
            for r in self._runs.values()
            if r.thread_id == thread_id and not r.temporary and not r.timeline.finished(now)
        ]

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
                        result = run.result
                        thread["values"] = dict(result) if isinstance(result, Mapping) else result
                    task = str(uuid.uuid4())
                    thread["interrupts"] = {task: run.interrupts} if run.interrupts else {}
            if thread is not None:
                thread["status"] = status
                thread["updated_at"] = thread["state_updated_at"] = now_iso()
                if run.temporary and run.record["body"].get("on_completion") != "keep":
                    del self._threads[run.thread_id]
        for run in self._runs.values():
            if not run.settled:
                started = now >= run.timeline.start
                run.record["status"] = "running" if started else "pending"

    def _run_view(self, run: PlayedRun, now: float) -> dict[str, Any]:
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
