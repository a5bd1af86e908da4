"""The client on a scaled-out Agent Server that loses a worker mid-run.

Each test reads one scenario of a trial (``conftest.py``: every scenario of a variant runs at once,
on one kill) and compares what the client delivered with the server's own record of the run:
zero lost and zero duplicated event ids, and a final state with every step exactly once.
"""

from __future__ import annotations

import pytest

from tests.scaleout.checks import Record, check
from tests.scaleout.conftest import CLIENT_SCENARIOS
from tests.scaleout.trial import LATE_JOIN, Trial

pytestmark = [pytest.mark.scaleout, pytest.mark.timeout(420)]

TrialResult = tuple[Trial, dict[str, Record]]


@pytest.mark.parametrize("name", CLIENT_SCENARIOS)
def test_through_proxy_worker_killed(through_proxy: TrialResult, name: str) -> None:
    """(a) The worker holding the connection and running the run dies; the proxy has another."""
    check(*through_proxy, name)


@pytest.mark.parametrize("name", CLIENT_SCENARIOS)
def test_single_worker_down_30s(single_worker: TrialResult, name: str) -> None:
    """(b) The client's only URL dies mid-run and comes back ~30 s later: the reconnect policy
    (90 s without progress by default) outlasts it."""
    check(*single_worker, name)


@pytest.mark.parametrize("name", LATE_JOIN)
def test_through_proxy_join_from_start_after_the_kill(
    through_proxy: TrialResult, name: str
) -> None:
    """(a) `join_stream` from the start, begun after the kill, so it reaches a worker that did not
    run the run's first attempt: it must still get the whole run. With `"0"` it does (read from
    Redis); `"-1"` is no Redis stream id (the worker would fall back to its own buffer), so the
    client sends `"0"` for it."""
    check(*through_proxy, name)
