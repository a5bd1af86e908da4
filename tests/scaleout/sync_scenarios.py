"""The trial's scenarios with the sync client, each in a worker thread of the trial's loop.

The same four calls as the async scenarios in ``trial.py``; parts are handed to the trial on its
own loop (``call_soon_threadsafe``), so the kill point and the timings work alike.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from langgraph_client import get_sync_client
from tests.scaleout.trial import GRAPH, RUN_INPUT, Outcome, Scenario, Trial

SyncBody = Callable[[Trial, Outcome, Any, Callable[[Any], None]], None]


def _stream(trial: Trial, outcome: Outcome, client: Any, deliver: Callable[[Any], None]) -> None:
    thread = client.threads.create()
    outcome.thread_id = thread["thread_id"]
    with client.runs.stream(
        thread["thread_id"],
        GRAPH,
        input=RUN_INPUT,
        stream_mode="custom",
        stream_resumable=True,
        on_disconnect="continue",
    ) as stream:
        for part in stream:
            outcome.run_id = stream.run_id
            deliver(part)


def _wait(trial: Trial, outcome: Outcome, client: Any, deliver: Callable[[Any], None]) -> None:
    thread = client.threads.create()
    outcome.thread_id = thread["thread_id"]
    outcome.result = client.runs.wait(
        thread["thread_id"],
        GRAPH,
        input=RUN_INPUT,
        stream_mode="custom",
        stream_resumable=True,
        on_disconnect="continue",
    )


def _create(client: Any, outcome: Outcome) -> str:
    thread = client.threads.create()
    outcome.thread_id = thread["thread_id"]
    run = client.runs.create(
        thread["thread_id"], GRAPH, input=RUN_INPUT, stream_mode="custom", stream_resumable=True
    )
    outcome.run_id = run["run_id"]
    return str(run["run_id"])


def _join(trial: Trial, outcome: Outcome, client: Any, deliver: Callable[[Any], None]) -> None:
    run_id = _create(client, outcome)
    outcome.result = client.runs.join(outcome.thread_id, run_id)


def _join_stream(
    trial: Trial, outcome: Outcome, client: Any, deliver: Callable[[Any], None]
) -> None:
    run_id = _create(client, outcome)
    with client.runs.join_stream(outcome.thread_id, run_id, last_event_id="0") as stream:
        for part in stream:
            deliver(part)


def _threaded(kind: str, body: SyncBody) -> Scenario:
    async def scenario(trial: Trial) -> None:
        outcome = trial.outcome(kind, "sync")
        loop = asyncio.get_running_loop()

        def deliver(part: Any) -> None:
            loop.call_soon_threadsafe(trial.on_part, outcome, part)

        def run() -> None:
            with get_sync_client(url=trial.url, api_key=None) as client:
                body(trial, outcome, client, deliver)

        await asyncio.to_thread(run)

    return scenario


def sync_scenarios() -> dict[str, Scenario]:
    """The sync client's scenarios, named "sync <call>"."""
    bodies = {"stream": _stream, "wait": _wait, "join": _join, "join_stream": _join_stream}
    return {f"sync {kind}": _threaded(kind, body) for kind, body in bodies.items()}
