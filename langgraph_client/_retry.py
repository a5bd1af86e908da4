"""What may be sent again after a failure, how long to wait before it, and how long to keep
reconnecting to a run: the one place these rules live."""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import httpx

__all__ = [
    "ENDPOINTS",
    "ReconnectBudget",
    "ReconnectPolicy",
    "RetryMode",
    "Rule",
    "backoff",
    "can_retry_error",
    "can_retry_status",
    "mode_for",
    "retry_after",
    "sleep",
    "sync_sleep",
]

RetryMode = Literal["safe", "connect"]
"""`safe`: repeating the request cannot do anything twice (reads, idempotent writes): retried on
transient statuses and on any transport error, a 2xx body that broke off mid-read included.
`connect`: it might (a run-creating POST, a new assistant version, a delete, a cancel): sent
again only when it surely never left (no connection was made)."""

INITIAL_DELAY = 0.5
MAX_DELAY = 8.0
MAX_RETRY_AFTER = 60.0
RETRY_STATUSES = frozenset({408, 429, 502, 503, 504})


# What may be re-sent, by endpoint


def _fixed_id_do_nothing(id_field: str) -> Callable[[Any], bool]:
    """A create with a fixed id and `if_exists="do_nothing"` returns the existing resource when
    sent twice: safe to repeat. Any other create might make two."""

    def check(body: Any) -> bool:
        return (
            isinstance(body, dict)
            and body.get(id_field) is not None
            and body.get("if_exists") == "do_nothing"
        )

    return check


@dataclass(frozen=True)
class Rule:
    """One endpoint: `method` and `path` (an OpenAPI template; each `{name}` is one segment)."""

    method: str
    path: str
    mode: RetryMode
    why: str
    safe_if: Callable[[Any], bool] | None = None
    """For a `connect` endpoint: a test of the decoded JSON body that makes this request safe."""
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Ids are percent-encoded into one segment (`_paths.path`), so `[^/]+` is exact.
        regex = re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(self.path))
        object.__setattr__(self, "pattern", re.compile(regex))


_READ = "a read"
_SEARCH = "a search or count: a read sent as POST"
_SAME = "sending it twice leaves the same state as once"
_RUN = "creates a run: a second copy would run the graph twice"
_ONCE = "not repeatable: a second send may fail or act twice once the first was processed"

ENDPOINTS: tuple[Rule, ...] = (
    # Assistants
    Rule("POST", "/assistants", "connect", _ONCE, _fixed_id_do_nothing("assistant_id")),
    Rule("POST", "/assistants/search", "safe", _SEARCH),
    Rule("POST", "/assistants/count", "safe", _SEARCH),
    Rule("GET", "/assistants/{assistant_id}", "safe", _READ),
    Rule("DELETE", "/assistants/{assistant_id}", "connect", _ONCE),
    Rule("PATCH", "/assistants/{assistant_id}", "connect", "saves a new version each time"),
    Rule("GET", "/assistants/{assistant_id}/graph", "safe", _READ),
    Rule("GET", "/assistants/{assistant_id}/subgraphs", "safe", _READ),
    Rule("GET", "/assistants/{assistant_id}/subgraphs/{namespace}", "safe", _READ),
    Rule("GET", "/assistants/{assistant_id}/schemas", "safe", _READ),
    Rule("POST", "/assistants/{assistant_id}/versions", "safe", _SEARCH),
    Rule("POST", "/assistants/{assistant_id}/latest", "safe", _SAME),
    # Threads
    Rule("POST", "/threads", "connect", _ONCE, _fixed_id_do_nothing("thread_id")),
    Rule("POST", "/threads/search", "safe", _SEARCH),
    Rule("POST", "/threads/count", "safe", _SEARCH),
    Rule("POST", "/threads/prune", "safe", _SAME),
    Rule("GET", "/threads/{thread_id}/state", "safe", _READ),
    Rule("POST", "/threads/{thread_id}/state", "connect", "adds a checkpoint each time"),
    Rule("GET", "/threads/{thread_id}/state/{checkpoint_id}", "safe", _READ),
    Rule("POST", "/threads/{thread_id}/state/checkpoint", "safe", _SEARCH),
    Rule("GET", "/threads/{thread_id}/history", "safe", _READ),
    Rule("POST", "/threads/{thread_id}/history", "safe", _SEARCH),
    Rule("POST", "/threads/{thread_id}/copy", "connect", "makes a new thread each time"),
    Rule("GET", "/threads/{thread_id}", "safe", _READ),
    Rule("DELETE", "/threads/{thread_id}", "connect", _ONCE),
    Rule("PATCH", "/threads/{thread_id}", "safe", _SAME),
    Rule("GET", "/threads/{thread_id}/stream", "safe", "joins a stream: a read"),
    Rule("POST", "/threads/{thread_id}/stream/events", "safe", "opens an event stream: a read"),
    Rule("POST", "/threads/{thread_id}/commands", "connect", "a command acts (starts a run)"),
    # Runs
    Rule("GET", "/threads/{thread_id}/runs", "safe", _READ),
    Rule("POST", "/threads/{thread_id}/runs", "connect", _RUN),
    Rule("POST", "/threads/{thread_id}/runs/crons", "connect", "makes a new cron each time"),
    Rule("POST", "/threads/{thread_id}/runs/stream", "connect", _RUN),
    Rule("POST", "/threads/{thread_id}/runs/wait", "connect", _RUN),
    Rule("GET", "/threads/{thread_id}/runs/{run_id}", "safe", _READ),
    Rule("DELETE", "/threads/{thread_id}/runs/{run_id}", "connect", _ONCE),
    Rule("GET", "/threads/{thread_id}/runs/{run_id}/join", "safe", "joins a run: a read"),
    Rule("GET", "/threads/{thread_id}/runs/{run_id}/stream", "safe", "joins a stream: a read"),
    Rule("POST", "/threads/{thread_id}/runs/{run_id}/cancel", "connect", _ONCE),
    Rule("POST", "/runs", "connect", _RUN),
    Rule("POST", "/runs/stream", "connect", _RUN),
    Rule("POST", "/runs/wait", "connect", _RUN),
    Rule("POST", "/runs/batch", "connect", _RUN),
    Rule("POST", "/runs/cancel", "connect", _ONCE),
    # Crons
    Rule("POST", "/runs/crons", "connect", "makes a new cron each time"),
    Rule("POST", "/runs/crons/search", "safe", _SEARCH),
    Rule("POST", "/runs/crons/count", "safe", _SEARCH),
    Rule("PATCH", "/runs/crons/{cron_id}", "safe", _SAME),
    Rule("DELETE", "/runs/crons/{cron_id}", "connect", _ONCE),
    # Store
    Rule("PUT", "/store/items", "safe", _SAME),
    Rule("DELETE", "/store/items", "connect", _ONCE),
    Rule("GET", "/store/items", "safe", _READ),
    Rule("POST", "/store/items/search", "safe", _SEARCH),
    Rule("POST", "/store/namespaces", "safe", _SEARCH),
    # Server and protocol endpoints
    Rule("POST", "/a2a/{assistant_id}", "connect", "a protocol message: may start a run"),
    Rule("POST", "/mcp/", "connect", "a protocol message: may start a run"),
    Rule("GET", "/mcp/", "safe", _READ),
    Rule("DELETE", "/mcp/", "connect", _ONCE),
    Rule("GET", "/info", "safe", _READ),
    Rule("GET", "/metrics", "safe", _READ),
    Rule("GET", "/ok", "safe", _READ),
)
"""Every endpoint of the Agent Server API and whether it may be re-sent. An endpoint missing
here (a newer server's) is treated as `connect`: never repeated once it may have arrived."""

_BY_METHOD: dict[str, tuple[Rule, ...]] = {
    method: tuple(rule for rule in ENDPOINTS if rule.method == method)
    for method in {rule.method for rule in ENDPOINTS}
}


def rule_for(method: str, path: str) -> Rule | None:
    """The table's row for a request path (under the base URL, without the query)."""
    for rule in _BY_METHOD.get(method.upper(), ()):
        if rule.pattern.fullmatch(path):
            return rule
    return None


def mode_for(method: str, path: str, body: Callable[[], Any] | None = None) -> RetryMode:
    """How a request may be re-sent, from the table. `body` decodes the JSON body, for the few
    rows whose answer depends on it (creates with a fixed id)."""
    rule = rule_for(method, path)
    if rule is None:
        return "connect"
    if rule.safe_if is not None and body is not None and rule.safe_if(body()):
        return "safe"
    return rule.mode


def can_retry_status(status: int, mode: RetryMode) -> bool:
    """408/429/502/503/504 on safe requests only. Never 409: on this server it means busy."""
    return mode == "safe" and status in RETRY_STATUSES


def can_retry_error(exc: httpx.TransportError, mode: RetryMode) -> bool:
    """Any transport failure of a safe request; for the others, only failures that happen
    before a connection exists, so the server cannot have seen the request."""
    if mode == "safe":
        return True
    return isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))


def backoff(attempt: int) -> float:
    """Exponential from INITIAL_DELAY to MAX_DELAY, with up to 25% jitter taken off."""
    delay = min(INITIAL_DELAY * (2.0 ** min(attempt, 32)), MAX_DELAY)  # no float overflow
    return delay * (1.0 - 0.25 * random.random())


def retry_after(headers: Mapping[str, str] | httpx.Headers) -> float | None:
    """The server's requested delay in seconds (`retry-after-ms`, or `Retry-After` seconds or
    HTTP date), not capped: compare it with MAX_RETRY_AFTER. `None` if absent or unreadable."""
    value = headers.get("retry-after-ms")
    if value:
        try:
            return _clean(float(value) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return _clean(float(value))
    except ValueError:
        pass
    import email.utils  # only for the rare HTTP-date form; keeps `import langgraph_client` light

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return _clean(when.timestamp() - time.time())


def _clean(seconds: float) -> float | None:
    if seconds != seconds:  # NaN
        return None
    return max(seconds, 0.0)


def now() -> float:
    """The clock reconnect budgets run on (tests patch it, with `sleep`, to fake time)."""
    return time.monotonic()


async def sleep(seconds: float) -> None:
    """Every wait before a retry or a reconnect goes through here (tests patch it)."""
    # Imported here, not at the top: `import langgraph_client` should cost no more than
    # `import httpx`, and an async program has asyncio loaded anyway by the time this runs.
    import asyncio

    await asyncio.sleep(seconds)


def sync_sleep(seconds: float, until: threading.Event | None = None) -> None:
    """Every wait of the sync client before a retry or a reconnect goes through here; a wait
    `until` an event ends early when another thread sets it (a stream closed meanwhile)."""
    if until is None:
        time.sleep(seconds)
    else:
        until.wait(seconds)


# How long to keep reconnecting to a run


@dataclass(frozen=True)
class ReconnectPolicy:
    """How long a stream resume, `wait`'s rejoin and `join` keep trying to reach a run.

    The budget is time without progress: `max_wait` seconds from the first failure after the
    last event (or answer) received, with waits growing from `initial_delay` to `max_delay`
    (up to 25% jitter taken off). Any progress starts a fresh budget, so a long run behind a
    proxy that cuts connections now and then survives any number of cuts. The default outlasts
    a server or worker that is unreachable for a minute (a pod restart).

        client = get_client(url=url, reconnect=ReconnectPolicy(max_wait=300))
    """

    max_wait: float = 90.0
    """Seconds of trying without progress before giving up (`0`: never reconnect)."""
    initial_delay: float = 0.5
    """The first wait, doubled after each failed attempt."""
    max_delay: float = 4.0
    """The longest wait between two attempts."""
    max_attempts: int | None = None
    """Also give up after this many attempts without progress (`None`: time alone decides)."""

    def __post_init__(self) -> None:
        if not self.max_wait >= 0:
            raise ValueError(f"max_wait must be >= 0 seconds, got {self.max_wait!r}")
        if not 0 <= self.initial_delay <= self.max_delay:
            raise ValueError("delays must satisfy 0 <= initial_delay <= max_delay")
        if self.max_attempts is not None and self.max_attempts < 0:
            raise ValueError("max_attempts must be >= 0")

    def delay(self, attempt: int) -> float:
        """The wait before attempt number `attempt` (0-based), jitter included."""
        nominal = min(self.initial_delay * (2.0 ** min(attempt, 32)), self.max_delay)
        return nominal * (1.0 - 0.25 * random.random())

    def start(self, clock: Callable[[], float] | None = None) -> ReconnectBudget:
        """A fresh budget for one stream or call, on `clock` (default: `_retry.now`)."""
        return ReconnectBudget(self, clock or now)

    @staticmethod
    def choose(
        client: ReconnectPolicy, call: ReconnectPolicy | None, max_reconnects: int | None
    ) -> ReconnectPolicy:
        """The policy of one call: the call's own, else the client's; `max_reconnects` (the 0.1
        argument) adds a bound on attempts per break."""
        policy = call if call is not None else client
        if max_reconnects is None:
            return policy
        if max_reconnects < 0:
            raise ValueError("max_reconnects must be >= 0")
        return replace(policy, max_attempts=max_reconnects)


DEFAULT_RECONNECT = ReconnectPolicy()


class ReconnectBudget:
    """The state of one `ReconnectPolicy` over one stream or call: pure, no I/O, no sleeping.

    budget = policy.start()
    while (delay := budget.next_delay()) is not None:
        await sleep(delay); ...try...; on success: budget.progress()
    """

    def __init__(self, policy: ReconnectPolicy, clock: Callable[[], float]) -> None:
        self.policy: ReconnectPolicy = policy
        self._clock = clock
        self.attempts: int = 0
        """Attempts since the last progress."""
        self.total: int = 0
        """Attempts over the budget's whole life."""
        self._since: float | None = None

    @property
    def reconnects(self) -> int:
        """Every attempt over the budget's life (`total`)."""
        return self.total

    def progress(self) -> None:
        """Something arrived: the next failure gets a fresh budget."""
        self.attempts = 0
        self._since = None

    @property
    def waited(self) -> float:
        """Seconds since the first failure after the last progress (0 if none)."""
        return 0.0 if self._since is None else self._clock() - self._since

    def next_delay(self) -> float | None:
        """The wait before the next attempt, or `None` when the budget is spent. The last wait
        is shortened so that the last attempt starts at the deadline, not after it."""
        now = self._clock()
        if self._since is None:
            self._since = now
        policy = self.policy
        left = policy.max_wait - (now - self._since)
        if left <= 0 or (policy.max_attempts is not None and self.attempts >= policy.max_attempts):
            return None
        delay = min(policy.delay(self.attempts), left)
        self.attempts += 1
        self.total += 1
        return delay
