"""`ReconnectPolicy`: a budget of time without progress, driven here by a fake clock."""

from __future__ import annotations

import pytest

from langgraph_client import ReconnectPolicy, _retry, get_client


class FakeClock:
    """Time that moves only when a test says so (a sleep, or an attempt that took a while)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def spend(budget: _retry.ReconnectBudget, clock: FakeClock, attempt_cost: float) -> list[float]:
    """Every delay the budget hands out while each attempt fails after `attempt_cost` s."""
    delays: list[float] = []
    for _ in range(10_000):  # bounded: a budget that never ends fails the test
        delay = budget.next_delay()
        if delay is None:
            return delays
        delays.append(delay)
        clock.advance(delay + attempt_cost)
    raise AssertionError("the budget never ran out")


def test_default_outlasts_a_server_unreachable_for_a_minute() -> None:
    clock = FakeClock()
    budget = ReconnectPolicy().start(clock)
    delays = spend(budget, clock, attempt_cost=0.0)
    # Attempts are spread over the whole budget, the last one at its deadline.
    assert clock.now - 1000.0 == pytest.approx(90.0)
    assert sum(delays) == pytest.approx(90.0)
    assert max(delays) <= 4.0
    assert len(delays) >= 22  # 90 s of waits of at most 4 s


def test_attempts_that_take_time_count_against_the_budget() -> None:
    clock = FakeClock()
    budget = ReconnectPolicy(max_wait=60.0).start(clock)
    delays = spend(budget, clock, attempt_cost=5.0)  # each connect times out after 5 s
    assert 60.0 <= clock.now - 1000.0 <= 60.0 + 5.0
    assert len(delays) < 60 / 5 + 1


def test_backoff_doubles_from_the_initial_delay_up_to_the_cap_with_jitter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_retry.random, "random", lambda: 0.0)
    clock = FakeClock()
    budget = ReconnectPolicy(initial_delay=0.5, max_delay=4.0).start(clock)
    delays = [budget.next_delay() for _ in range(7)]
    assert delays == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0, 4.0]
    monkeypatch.setattr(_retry.random, "random", lambda: 0.999999)
    policy = ReconnectPolicy()
    assert 0.375 <= policy.delay(0) < 0.376  # up to 25 % taken off
    monkeypatch.undo()
    samples = {policy.delay(3) for _ in range(100)}
    assert all(3.0 <= s <= 4.0 for s in samples) and len(samples) > 1


def test_progress_gives_a_fresh_budget() -> None:
    clock = FakeClock()
    budget = ReconnectPolicy(max_wait=10.0).start(clock)
    for _ in range(50):  # fifty breaks, each healed after ~8 s: never gives up
        waited = 0.0
        while waited < 8.0:
            delay = budget.next_delay()
            assert delay is not None
            clock.advance(delay)
            waited += delay
        budget.progress()
        assert budget.attempts == 0 and budget.waited == 0.0
        clock.advance(120.0)  # a long quiet, healthy stretch costs nothing
    assert budget.total > 50
    spend(budget, clock, 0.0)
    assert budget.waited == pytest.approx(10.0)


def test_max_attempts_also_bounds_it() -> None:
    clock = FakeClock()
    budget = ReconnectPolicy(max_attempts=3).start(clock)
    assert len(spend(budget, clock, 0.0)) == 3
    budget.progress()
    assert len(spend(budget, clock, 0.0)) == 3


def test_zero_wait_never_reconnects() -> None:
    clock = FakeClock()
    assert ReconnectPolicy(max_wait=0).start(clock).next_delay() is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_wait": -1},
        {"max_wait": float("nan")},
        {"initial_delay": 5.0, "max_delay": 1.0},
        {"initial_delay": -1.0},
        {"max_attempts": -1},
    ],
)
def test_bad_settings_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        ReconnectPolicy(**kwargs)  # type: ignore[arg-type]


async def test_configured_on_the_client_and_per_client_copy() -> None:
    default = get_client(url="http://testserver", api_key=None)
    assert default._http.reconnect == ReconnectPolicy()
    patient = ReconnectPolicy(max_wait=600)
    client = get_client(url="http://testserver", api_key=None, reconnect=patient)
    assert client._http.reconnect is patient
    brief = ReconnectPolicy(max_wait=5)
    assert client.with_options(reconnect=brief)._http.reconnect is brief
    assert client._http.reconnect is patient  # the original keeps its own
    await default.aclose()
    await client.aclose()
