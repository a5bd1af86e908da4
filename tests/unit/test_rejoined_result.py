"""What a run rejoined after a dropped connection returns (`_payloads.rejoined_result`): its
result only when the server says it succeeded; never a half-finished state; never a failure
or a success that cannot be known."""

from __future__ import annotations

from typing import Any

import pytest

from langgraph_client import (
    APIConnectionError,
    RunCancelledError,
    RunFailedError,
    RunOutcomeUnknownError,
)
from langgraph_client._payloads import UNFINISHED, rejoined_result, stream_mode_param

RUN = {"run_id": "R", "thread_id": "T"}
VALUES = {"messages": ["done"]}
FAILED = {"__error__": {"error": "ValueError", "message": "boom"}}
GONE = {"__error__": {"error": "HTTPException", "message": "404: Run not found"}}


def test_success_returns_the_join_result() -> None:
    assert rejoined_result(VALUES, "success", RUN, True) is VALUES


@pytest.mark.parametrize("status", ["interrupted", "timeout"])
def test_a_stopped_run_is_run_cancelled_never_its_partial_state(status: str) -> None:
    with pytest.raises(RunCancelledError) as info:
        rejoined_result({"messages": ["half"]}, status, RUN, True)
    assert (info.value.run_id, info.value.thread_id, info.value.status) == ("R", "T", status)
    assert isinstance(info.value, APIConnectionError)
    with pytest.raises(RunCancelledError):  # raise_error=False does not make it a result
        rejoined_result({"messages": ["half"]}, status, RUN, False)


def test_a_failed_run_is_run_failed_or_its_error_body() -> None:
    with pytest.raises(RunFailedError) as info:
        rejoined_result(FAILED, "error", RUN, True)
    assert (info.value.error, info.value.message) == ("ValueError", "boom")
    assert rejoined_result(FAILED, "error", RUN, False) == FAILED
    with pytest.raises(RunFailedError):  # status error without an error body
        rejoined_result(VALUES, "error", RUN, True)


@pytest.mark.parametrize(
    ("result", "status"),
    [
        (GONE, None),  # the stateless run's thread was deleted: join says "Run not found"
        (GONE, "success"),
        (VALUES, None),  # joined, then the run vanished: success or a cancel, unknown
        (None, None),
    ],
)
def test_what_cannot_be_known_says_so(result: Any, status: str | None) -> None:
    with pytest.raises(RunOutcomeUnknownError) as info:
        rejoined_result(result, status, RUN, True)
    assert not isinstance(info.value, RunFailedError)
    assert (info.value.run_id, info.value.thread_id) == ("R", "T")
    assert "on_completion" in str(info.value)  # and how to avoid it


def test_a_real_failure_is_known_even_when_the_run_is_gone() -> None:
    with pytest.raises(RunFailedError):
        rejoined_result(FAILED, None, RUN, True)


def test_unfinished_statuses() -> None:
    assert {"pending", "running"} == UNFINISHED


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        (None, None),
        ("values", "values"),
        (["values"], '["values"]'),
        (["values", "updates"], '["values","updates"]'),
        (("messages-tuple", "custom"), '["messages-tuple","custom"]'),
    ],
)
def test_stream_mode_goes_in_one_parameter(given: Any, sent: str | None) -> None:
    assert stream_mode_param(given) == sent
