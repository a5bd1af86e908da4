"""The scale-out verdicts on made-up trials: they must catch a lost, a repeated or a reordered
event, a wrong result, and a trial whose kill missed the run. No stack needed."""

from __future__ import annotations

from typing import Any

import pytest

from langgraph_client import StreamPart
from tests.scaleout.checks import ClientGaveUp, Record, check, delivery
from tests.scaleout.trial import EVENTS, PER_STEP, STEPS, Outcome, Trial

VICTIM, SURVIVOR = 100, 200
KILLED_IN_STEP = 5


def _events(*, retried: bool = True) -> list[tuple[str, str | None, Any]]:
    """A run killed mid-step 5 and retried from that step's start (attempt 2), or not."""
    events: list[tuple[str, str | None, Any]] = []

    def add(event: str, data: Any) -> None:
        events.append((event, f"17000000{len(events):05d}-0", data))

    add("metadata", {"run_id": "r", "attempt": 1})
    first_retried = KILLED_IN_STEP * PER_STEP
    last_seen = first_retried + 2 if retried else EVENTS - 1
    for seq in range(last_seen + 1):
        add("custom", {"seq": seq, "step": seq // PER_STEP, "i": seq % PER_STEP, "pid": VICTIM})
    if retried:
        add("metadata", {"run_id": "r", "attempt": 2})
        for seq in range(first_retried, EVENTS):
            data = {"seq": seq, "step": seq // PER_STEP, "i": seq % PER_STEP, "pid": SURVIVOR}
            add("custom", data)
    return events


def _values() -> dict[str, Any]:
    done = [{"step": s, "pid": VICTIM if s < KILLED_IN_STEP else SURVIVOR} for s in range(STEPS)]
    return {"steps": STEPS, "step": STEPS, "done": done}


def _trial(outcome: Outcome) -> Trial:
    trial = Trial(url="http://127.0.0.1:1", victim=None, victim_pid=VICTIM)  # type: ignore[arg-type]
    trial.outcomes[outcome.name] = outcome
    return trial


def _stream(parts: list[tuple[str, str | None, Any]]) -> Outcome:
    outcome = Outcome("stream", "async", thread_id="t", run_id="r")
    outcome.parts = [(float(i), StreamPart(e, d, i_)) for i, (e, i_, d) in enumerate(parts)]
    return outcome


def _verdict(outcome: Outcome, record: Record) -> None:
    check(_trial(outcome), {outcome.name: record}, outcome.name)


def test_every_event_once_passes() -> None:
    events = _events()
    _verdict(_stream(events), Record("success", events, _values()))
    assert delivery(_stream(events), Record("success", events, _values())) == "exact"


def test_a_lost_event_fails() -> None:
    events = _events()
    outcome = _stream(events[:10] + events[11:])
    with pytest.raises(AssertionError, match="1 events lost"):
        _verdict(outcome, Record("success", events, _values()))
    assert delivery(outcome, Record("success", events, _values())) == "lost 1, repeated 0"


def test_a_repeated_event_fails() -> None:
    events = _events()
    outcome = _stream(events[:10] + events[9:])
    with pytest.raises(AssertionError, match="duplicated or reordered"):
        _verdict(outcome, Record("success", events, _values()))
    assert delivery(outcome, Record("success", events, _values())) == "lost 0, repeated 1"


def test_reordered_events_fail() -> None:
    events = _events()
    with pytest.raises(AssertionError, match="duplicated or reordered"):
        _verdict(_stream([events[1], events[0], *events[2:]]), Record("success", events, {}))


def test_a_client_that_gave_up_is_its_own_failure() -> None:
    events = _events()
    outcome = _stream(events[:20])
    outcome.error = ConnectionError("gave up")
    with pytest.raises(ClientGaveUp, match="gave up"):
        _verdict(outcome, Record("success", events, _values()))


def test_a_kill_that_missed_the_run_fails() -> None:
    events = _events(retried=False)
    with pytest.raises(AssertionError, match="did not interrupt"):
        _verdict(_stream(events), Record("success", events, _values()))


def test_a_run_that_did_not_succeed_fails() -> None:
    events = _events()
    with pytest.raises(AssertionError):
        _verdict(_stream(events), Record("error", events, _values()))


def test_wait_result_with_every_step_once_passes() -> None:
    outcome = Outcome("wait", "async", thread_id="t", run_id="r", result=_values())
    _verdict(outcome, Record("success", _events(), _values()))
    assert delivery(outcome, Record("success", _events(), _values())) == "exact"


@pytest.mark.parametrize(
    "change",
    [
        lambda v: v["done"].pop(3),  # a step lost
        lambda v: v["done"].insert(5, dict(v["done"][5])),  # a step twice
    ],
)
def test_wait_result_missing_or_repeating_a_step_fails(change: Any) -> None:
    result = _values()
    change(result)
    outcome = Outcome("wait", "async", thread_id="t", run_id="r", result=result)
    with pytest.raises(AssertionError):
        _verdict(outcome, Record("success", _events(), result))


def test_wait_result_other_than_the_thread_state_fails() -> None:
    result = _values()
    outcome = Outcome("join", "async", thread_id="t", run_id="r", result=result)
    with pytest.raises(AssertionError):
        _verdict(outcome, Record("success", _events(), {**result, "step": 3}))
