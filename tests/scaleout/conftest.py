"""The scale-out job's fixtures: one stack for the whole session, one trial per variant.

``test_scaleout.py`` is collected only when ``LANGGRAPH_SCALEOUT=1`` (``scripts/scaleout`` sets
it), so a plain ``pytest`` never starts the stack (it does run ``test_checks.py``, which needs
none). Where the stack cannot be installed (no root, no apt-get), the tests skip with the reason,
except in CI (``CI=true``), where that is a failure.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

if os.environ.get("LANGGRAPH_SCALEOUT") != "1":
    # The checks' own tests (no stack) stay in the normal suite.
    collect_ignore = ["test_scaleout.py"]

from tests.scaleout import install
from tests.scaleout.checks import Record, delivery, read_record
from tests.scaleout.stack import Stack, StackError
from tests.scaleout.sync_scenarios import sync_scenarios
from tests.scaleout.trial import LATE_JOIN, SCENARIOS, Trial, run_trial, sdk_scenarios

RESTART_AFTER = 30.0
"""Variant (b): how long the clients' only worker stays dead."""

RECORD_TIMEOUT = 60.0
"""Reading one run's record back, as a whole."""

CLIENT_SCENARIOS = {**SCENARIOS, **sync_scenarios()}
"""This client's scenarios, async and sync: the ones the tests judge."""

_REPORT: list[str] = []


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    in_ci = os.environ.get("CI") == "true"
    try:
        tools = install.ensure()
    except install.Unavailable as exc:
        if in_ci:
            pytest.fail(f"scale-out stack unavailable in CI: {exc}", pytrace=False)
        pytest.skip(f"scale-out stack: {exc}")
    except install.InstallError as exc:
        pytest.fail(f"scale-out install failed: {exc}", pytrace=False)
    # A SIGTERM (a CI timeout, a `kill`) unwinds like Ctrl-C, so the stack is still stopped.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    started = time.monotonic()
    try:
        try:
            running = Stack(tools).__enter__()
        except StackError as exc:
            pytest.fail(f"scale-out stack did not start: {exc}", pytrace=False)
        _REPORT.append(f"stack start: {time.monotonic() - started:.1f} s")
        try:
            yield running
        finally:
            running.stop()
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _report(label: str, trial: Trial, records: dict[str, Record], seconds: float) -> None:
    _REPORT.append(f"{label}: {seconds:.1f} s (kill to recovery; what was delivered)")
    for name, outcome in trial.outcomes.items():
        recovery = trial.recovery(outcome)
        line = f"  {name:<26} " + (f"{recovery:5.1f} s" if recovery is not None else "  never")
        line += f"  {delivery(outcome, records.get(name))}"
        if outcome.error is not None:
            line += f"; raised {type(outcome.error).__name__}"
            if outcome.done_at and trial.killed_at:
                line += f" {outcome.done_at - trial.killed_at:.1f} s after the kill"
            if outcome.client == "sdk":
                line += f": {str(outcome.error)[:80]}"
        _REPORT.append(line)


async def _trial(
    stack: Stack, label: str, *, extra: dict[str, Any] | None = None, **kwargs: Any
) -> AsyncIterator[tuple[Trial, dict[str, Record]]]:
    started = time.monotonic()
    scenarios = {**CLIENT_SCENARIOS, **(extra or {})}
    if os.environ.get("LANGGRAPH_SCALEOUT_SDK") == "1":
        scenarios.update(sdk_scenarios(stack.tools.venv / "bin" / "python"))
    trial = await run_trial(stack, scenarios=scenarios, **kwargs)
    records = {}
    for name, outcome in trial.outcomes.items():
        if outcome.thread_id and outcome.run_id:
            # Bounded as a whole: heartbeats would keep a replay of an unfinished run open.
            records[name] = await asyncio.wait_for(
                read_record(stack.proxy_url, outcome.thread_id, outcome.run_id), RECORD_TIMEOUT
            )
    _report(label, trial, records, time.monotonic() - started)
    yield trial, records


@pytest.fixture(scope="session")
async def through_proxy(stack: Stack) -> AsyncIterator[tuple[Trial, dict[str, Record]]]:
    """Variant (a): clients on the proxy; the worker holding them and running their runs is
    killed mid-run and restarted at once."""
    async for result in _trial(
        stack, "(a) through the proxy", through_proxy=True, restart_after=0, extra=LATE_JOIN
    ):
        yield result


@pytest.fixture(scope="session")
async def single_worker(stack: Stack) -> AsyncIterator[tuple[Trial, dict[str, Record]]]:
    """Variant (b): clients on one worker's URL; it is killed mid-run and back after ~30 s."""
    async for result in _trial(
        stack, "(b) single worker, 30 s down", through_proxy=False, restart_after=RESTART_AFTER
    ):
        yield result


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _REPORT:
        terminalreporter.section("scale-out timings")
        for line in _REPORT:
            terminalreporter.write_line(line)
