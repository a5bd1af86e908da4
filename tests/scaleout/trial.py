"""One trial of the scale-out job: start every scenario at once, kill their worker mid-run.

A trial makes one worker (the *victim*) both hold every scenario's connection and run every run,
then SIGKILLs it while the runs are half done, then restarts it, and records what each client
call delivered (events with their times, or a result, or the exception it raised). The tests in
``test_scaleout.py`` compare each record with the server's own.

How the victim gets both jobs: the other worker is held back with SIGSTOP (and, through the proxy,
put in maintenance so the proxy sends every request to the victim) until every run is claimed and
running, then let go. The run is found on the victim from the graph itself: its events carry the
pid of the process that ran them.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from langgraph_client import Client, StreamPart, get_client
from tests.scaleout.stack import Stack, Worker

GRAPH = "ticker"
STEPS = 12
PER_STEP = 5
DELAY = 0.2
EVENTS = STEPS * PER_STEP
"""Custom events in a run without a crash (~12 s)."""
RUN_INPUT = {"steps": STEPS, "per_step": PER_STEP, "delay": DELAY}
KILL_AT = 25
"""Kill the victim once the stream scenario has seen this custom event (`seq`), mid-step 5."""

CLAIM_TIMEOUT = 30.0
KILL_POINT_TIMEOUT = 30.0
FINISH_TIMEOUT = 150.0
"""After the kill, every scenario must be done within this (the (b) variant waits ~30 s first)."""


@dataclass
class Outcome:
    """What one client call delivered."""

    scenario: str
    client: str
    thread_id: str | None = None
    run_id: str | None = None
    parts: list[tuple[float, StreamPart]] = field(default_factory=list)
    """Each part a stream delivered, with the `time.monotonic()` it arrived."""
    result: Any = None
    error: BaseException | None = None
    done_at: float | None = None

    @property
    def name(self) -> str:
        return f"{self.client} {self.scenario}"


@dataclass
class Trial:
    """The scenarios of one kill, and when things happened."""

    url: str
    victim: Worker
    victim_pid: int
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    kill_point: asyncio.Event = field(default_factory=asyncio.Event)
    killed: asyncio.Event = field(default_factory=asyncio.Event)
    killed_at: float | None = None
    restarted_at: float | None = None

    def outcome(self, scenario: str, client: str) -> Outcome:
        outcome = Outcome(scenario, client)
        self.outcomes[outcome.name] = outcome
        return outcome

    def on_part(self, outcome: Outcome, part: StreamPart) -> None:
        outcome.parts.append((time.monotonic(), part))
        if (
            outcome.name == "async stream"
            and part.event == "custom"
            and isinstance(part.data, dict)
            and part.data.get("seq", -1) >= KILL_AT
        ):
            self.kill_point.set()

    def recovery(self, outcome: Outcome) -> float | None:
        """Seconds from the kill to the first part the restarted run sent (streams), or to the
        result (wait, join); `None` if it never came.

        Parts the victim sent just before it died can still arrive after the kill: they do not
        count, only the retried run's `metadata` (attempt 2) or an event from another process.
        """
        if self.killed_at is None:
            return None
        if outcome.parts:
            for t, part in outcome.parts:
                data = part.data if isinstance(part.data, dict) else {}
                if t > self.killed_at and (
                    data.get("attempt", 1) > 1
                    or data.get("pid", self.victim_pid) != self.victim_pid
                ):
                    return t - self.killed_at
            return None
        if outcome.error is None and outcome.done_at is not None:
            return outcome.done_at - self.killed_at
        return None


Scenario = Callable[[Trial], Awaitable[None]]


def _client(trial: Trial) -> Client:
    return get_client(url=trial.url, api_key=None)


async def _stream(trial: Trial) -> None:
    outcome = trial.outcome("stream", "async")
    async with _client(trial) as client:
        thread = await client.threads.create()
        outcome.thread_id = thread["thread_id"]
        stream = client.runs.stream(
            thread["thread_id"],
            GRAPH,
            input=RUN_INPUT,
            stream_mode="custom",
            stream_resumable=True,
            on_disconnect="continue",
        )
        async with stream:
            async for part in stream:
                outcome.run_id = stream.run_id
                trial.on_part(outcome, part)


async def _wait(trial: Trial) -> None:
    outcome = trial.outcome("wait", "async")
    async with _client(trial) as client:
        thread = await client.threads.create()
        outcome.thread_id = thread["thread_id"]

        def created(run: Any) -> None:
            outcome.run_id = run["run_id"]

        outcome.result = await client.runs.wait(
            thread["thread_id"],
            GRAPH,
            input=RUN_INPUT,
            stream_mode="custom",
            stream_resumable=True,
            on_disconnect="continue",
            on_run_created=created,
        )


async def _create_join(trial: Trial) -> None:
    outcome = trial.outcome("join", "async")
    async with _client(trial) as client:
        thread = await client.threads.create()
        outcome.thread_id = thread["thread_id"]
        run = await client.runs.create(
            thread["thread_id"],
            GRAPH,
            input=RUN_INPUT,
            stream_mode="custom",
            stream_resumable=True,
        )
        outcome.run_id = run["run_id"]
        outcome.result = await client.runs.join(thread["thread_id"], run["run_id"])


async def _join_stream(trial: Trial) -> None:
    outcome = trial.outcome("join_stream", "async")
    async with _client(trial) as client:
        thread = await client.threads.create()
        outcome.thread_id = thread["thread_id"]
        run = await client.runs.create(
            thread["thread_id"],
            GRAPH,
            input=RUN_INPUT,
            stream_mode="custom",
            stream_resumable=True,
        )
        outcome.run_id = run["run_id"]
        # "0": everything from the run's first event, so the whole record is expected.
        async with client.runs.join_stream(
            thread["thread_id"], run["run_id"], last_event_id="0"
        ) as stream:
            async for part in stream:
                trial.on_part(outcome, part)


def _late_join_stream(last_event_id: str) -> Scenario:
    """A second viewer that joins from the start after the worker that ran the run died."""

    async def scenario(trial: Trial) -> None:
        outcome = trial.outcome(f"late join_stream {last_event_id}", "async")
        async with _client(trial) as client:
            thread = await client.threads.create()
            outcome.thread_id = thread["thread_id"]
            run = await client.runs.create(
                thread["thread_id"],
                GRAPH,
                input=RUN_INPUT,
                stream_mode="custom",
                stream_resumable=True,
            )
            outcome.run_id = run["run_id"]
            await trial.killed.wait()
            async with client.runs.join_stream(
                thread["thread_id"], run["run_id"], last_event_id=last_event_id
            ) as stream:
                async for part in stream:
                    trial.on_part(outcome, part)

    return scenario


LATE_JOIN = {
    "async late join_stream 0": _late_join_stream("0"),
    "async late join_stream -1": _late_join_stream("-1"),
}
"""Through the proxy only: a join from the start that reaches a worker which did not run the
run's first attempt. "0" (what the client documents) is read from Redis by any worker; "-1" would
be answered from the serving worker's memory only, so the client sends "0" for it."""


SCENARIOS: dict[str, Scenario] = {
    "async stream": _stream,
    "async wait": _wait,
    "async join": _create_join,
    "async join_stream": _join_stream,
}


class SdkError(Exception):
    """What the official SDK raised (in its own process), as text."""


def sdk_scenarios(python: Path) -> dict[str, Scenario]:
    """The same four scenarios with the official `langgraph_sdk`, each in a process of the
    server venv's `python` (the only venv that has it): for comparison, never a verdict."""

    def make(kind: str) -> Scenario:
        async def scenario(trial: Trial) -> None:
            outcome = trial.outcome(kind, "sdk")
            process = await asyncio.create_subprocess_exec(
                str(python),
                str(Path(__file__).with_name("sdk_scenario.py")),
                trial.url,
                kind,
                json.dumps(RUN_INPUT),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
            )
            try:
                assert process.stdout is not None
                async for line in process.stdout:
                    message = json.loads(line)
                    if "thread" in message:
                        outcome.thread_id = message["thread"]
                    elif "part" in message:
                        event, event_id, data = message["part"]
                        trial.on_part(outcome, StreamPart(event, data, event_id))
                    elif "result" in message:
                        outcome.result = message["result"]
                    elif "error" in message:
                        raise SdkError(message["error"])
            finally:
                if process.returncode is None:
                    process.kill()
                await process.wait()

        return scenario

    return {f"sdk {kind}": make(kind) for kind in ("stream", "wait", "join", "join_stream")}


async def _guarded(trial: Trial, name: str, scenario: Scenario) -> None:
    try:
        await scenario(trial)
    except Exception as exc:
        # Kept, not raised: the trial goes on for the other scenarios, the test reports it.
        trial.outcomes[name].error = exc
    finally:
        if name in trial.outcomes:
            trial.outcomes[name].done_at = time.monotonic()


async def _all_running(trial: Trial, names: list[str], timeout: float) -> None:
    """Wait until every scenario's run exists and the victim has claimed it.

    Runs are found from their thread (each scenario makes its own), so a client that tells the
    run id late (the official SDK's `wait`) is no problem.
    """
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=trial.victim.url, timeout=5) as http:
        while True:
            statuses = []
            for name in names:
                outcome = trial.outcomes.get(name)
                if outcome is not None and outcome.done_at is not None:
                    raise RuntimeError(f"{name} ended before the kill: {outcome.error!r}")
                if outcome is None or outcome.thread_id is None:
                    statuses.append("no thread yet")
                    continue
                response = await http.get(f"/threads/{outcome.thread_id}/runs")
                runs = response.json() if response.is_success else []
                if runs:
                    outcome.run_id = outcome.run_id or runs[0]["run_id"]
                statuses.append(runs[0]["status"] if runs else "no run yet")
            if all(s == "running" for s in statuses):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"runs not all running after {timeout:.0f} s: {statuses}")
            await asyncio.sleep(0.1)


async def _kill_point(trial: Trial, tasks: list[asyncio.Task[None]]) -> None:
    """Wait for the stream scenario to reach KILL_AT; fail at once if a scenario ends first."""
    point = asyncio.create_task(trial.kill_point.wait())
    try:
        done, _ = await asyncio.wait(
            [point, *tasks], timeout=KILL_POINT_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
        )
    finally:
        point.cancel()
    if point not in done:
        ended = [o.name for o in trial.outcomes.values() if o.done_at is not None]
        raise RuntimeError(f"no kill point after {KILL_POINT_TIMEOUT:.0f} s; ended early: {ended}")


async def run_trial(
    stack: Stack, *, through_proxy: bool, restart_after: float, scenarios: dict[str, Scenario]
) -> Trial:
    """Run `scenarios` at once against the victim (workers[0]) and kill it mid-run.

    `through_proxy`: the clients' URL is the proxy (else the victim itself). The victim is
    restarted `restart_after` seconds after the kill; the trial ends when every scenario has.
    """
    victim, other = stack.workers
    trial = Trial(
        url=stack.proxy_url if through_proxy else victim.url, victim=victim, victim_pid=victim.pid
    )
    if through_proxy:
        stack.proxy_maint(other.name)
    other.pause()
    tasks: list[asyncio.Task[None]] = []
    try:
        try:
            for name, scenario in scenarios.items():
                tasks.append(asyncio.create_task(_guarded(trial, name, scenario)))
            await asyncio.sleep(0)
            await _all_running(trial, list(scenarios), CLAIM_TIMEOUT)
        finally:
            other.resume()
            if through_proxy:
                await asyncio.to_thread(stack.proxy_ready, other.name)
        await _kill_point(trial, tasks)
        victim.kill()
        trial.killed_at = time.monotonic()
        trial.killed.set()
        await asyncio.sleep(restart_after)
        await asyncio.to_thread(victim.start)
        trial.restarted_at = time.monotonic()
        await asyncio.wait_for(asyncio.gather(*tasks), FINISH_TIMEOUT)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if not victim.alive():
            await asyncio.to_thread(victim.start)
    return trial
