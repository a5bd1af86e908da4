"""Request bodies and results, shared by the async and sync clients: pure functions, no I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from datetime import timezone as dt_timezone
from typing import TYPE_CHECKING, Any, TypedDict

from ._exceptions import RunCancelledError, RunFailedError, RunOutcomeUnknownError
from ._json import dumps
from ._paths import path

if TYPE_CHECKING:  # annotations only: importing langgraph_client stays light
    import builtins
    from uuid import UUID

    from .types import (
        All,
        Checkpoint,
        Command,
        Config,
        DisconnectMode,
        Durability,
        IfNotExists,
        MultitaskStrategy,
        OnCompletionBehavior,
        StreamMode,
        ThreadTTL,
    )

__all__ = [
    "RunCreateOptions",
    "RunOptions",
    "check_result",
    "check_version",
    "checkpoint_address",
    "cron_body",
    "cron_time",
    "cron_timezone",
    "drop_none",
    "history_before",
    "rejoined_result",
    "run_body",
    "runs_path",
    "store_labels",
    "stream_mode_param",
    "thread_ttl",
]


def drop_none(body: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON body without its `None` values: options left unset are not sent."""
    return {k: v for k, v in body.items() if v is not None}


# Runs


class RunCreateOptions(TypedDict, total=False):
    """The run-create body shared by `wait`, `stream`, `create` and crons; `None` is not sent."""

    input: Any
    """The graph's input."""
    command: Command | Mapping[str, Any] | None
    """A command to run instead of input, e.g. `{"resume": ...}` after an interrupt."""
    metadata: Mapping[str, Any] | None
    """Metadata stored with the run."""
    config: Config | Mapping[str, Any] | None
    """The run's config (tags, recursion_limit, configurable)."""
    context: Mapping[str, Any] | None
    """Static context for the graph's runtime."""
    checkpoint: Checkpoint | None
    """Start from this checkpoint (threads only)."""
    checkpoint_id: str | None
    """Start from this checkpoint id (threads only)."""
    checkpoint_during: bool | None
    """Deprecated: checkpoint during the run; use `durability`."""
    interrupt_before: All | Sequence[str] | None
    """Nodes to interrupt before, or "*"."""
    interrupt_after: All | Sequence[str] | None
    """Nodes to interrupt after, or "*"."""
    webhook: str | None
    """A URL the server calls when the run ends."""
    on_disconnect: DisconnectMode | None
    """What the server does to the run when this client disconnects: "cancel" or "continue"."""
    on_completion: OnCompletionBehavior | None
    """Stateless runs: "delete" (default) or "keep" the temporary thread."""
    multitask_strategy: MultitaskStrategy | None
    """What to do if the thread is busy: "reject" (409), "interrupt", "rollback", "enqueue"."""
    if_not_exists: IfNotExists | None
    """Threads: "create" a missing thread, or "reject" (404, the default)."""
    after_seconds: float | None
    """Delay the start of the run."""
    durability: Durability | None
    """When checkpoints are persisted: "sync", "async" or "exit"."""
    stream_subgraphs: bool | None
    """Include subgraph events, named `mode|node:task_id`."""
    stream_resumable: bool | None
    """Keep the stream's events on the server so a broken stream can resume (and be joined)."""
    feedback_keys: Sequence[str] | None
    """LangSmith feedback keys to create for the run."""
    langsmith_tracing: Mapping[str, Any] | None
    """LangSmith tracing options for the run (project, example id)."""
    strict_resume: bool | None
    """Fail a resume that answers no waiting interrupt instead of ignoring it (newer servers)."""


class RunOptions(RunCreateOptions, total=False):
    """`RunCreateOptions` plus `stream_mode`, for the calls where it is not a named parameter."""

    stream_mode: StreamMode | Sequence[StreamMode] | builtins.list[str] | tuple[str, ...] | None
    """What the run's stream carries (kept for joiners); a list of plain strings is fine too."""


_OPTION_NAMES = frozenset(RunOptions.__annotations__)


def run_body(assistant_id: str | UUID, options: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body of a run: unknown options are a `TypeError`, `None`s are dropped."""
    unknown = options.keys() - _OPTION_NAMES
    if unknown:
        raise TypeError(f"unexpected run option(s): {', '.join(sorted(unknown))}")
    if not assistant_id:
        raise ValueError("assistant_id is required (an assistant id or a graph name)")
    body = {"assistant_id": str(assistant_id), **drop_none(options)}
    if "langsmith_tracing" in body:  # the official SDK's argument name; the wire name differs
        body["langsmith_tracer"] = body.pop("langsmith_tracing")
    return body


def check_version(version: str) -> str:
    """A stream's `version`: "v1" (`StreamPart`s) or "v2" (`StreamPartV2` dicts)."""
    if version not in ("v1", "v2"):
        raise ValueError(f'version must be "v1" or "v2", got {version!r}')
    return version


def runs_path(thread_id: str | UUID | None, suffix: str = "") -> str:
    if thread_id is None:
        return "/runs" + suffix
    return path("/threads/{}/runs", thread_id) + suffix


def check_result(result: Any, run: Mapping[str, Any] | None, raise_error: bool) -> Any:
    if raise_error and isinstance(result, dict) and "__error__" in result:
        info = result["__error__"]
        info = info if isinstance(info, dict) else {"message": info}
        raise RunFailedError(
            error=info.get("error"),
            message=info.get("message"),
            run_id=run["run_id"] if run else None,
            thread_id=run.get("thread_id") if run else None,
        )
    return result


def stream_mode_param(stream_mode: str | Sequence[str] | None) -> str | None:
    """`?stream_mode=` of a join: one mode as is, several as one JSON array (the server reads a
    single value: a repeated parameter would keep only the last mode)."""
    if stream_mode is None or isinstance(stream_mode, str):
        return stream_mode
    return dumps(list(stream_mode)).decode()


UNFINISHED = frozenset({"pending", "running"})
"""Run statuses of a run still going: a join that answered for one is joined again."""


def _run_gone(result: Any) -> bool:
    """The join's answer for a run (or thread) that no longer exists: a 200 with an error."""
    if not (isinstance(result, dict) and isinstance(result.get("__error__"), dict)):
        return False
    message = str(result["__error__"].get("message") or "")
    return message.startswith("404") and "not found" in message.lower()


def rejoined_result(
    result: Any, status: str | None, run: Mapping[str, Any], raise_error: bool
) -> Any:
    """The outcome of a run rejoined after its connection dropped, from the join's `result` and
    the run's `status` read after it (`None`: the run is gone). Never a half-finished state as a
    result, never a failure that did not happen: what cannot be known raises saying so."""
    run_id, thread_id = run["run_id"], run.get("thread_id")
    where = f"run {run_id} on thread {thread_id}"
    if _run_gone(result) or (status is None and not _failed(result)):
        raise RunOutcomeUnknownError(
            f"{where}: the connection dropped and the run can no longer be read (a stateless "
            "run's temporary thread is deleted when the run ends); its outcome is unknown. "
            'Create it with on_completion="keep" to read it after a drop',
            run_id=run_id,
            thread_id=thread_id,
        )
    if status in ("interrupted", "timeout"):
        raise RunCancelledError(
            f"{where} was stopped by the server (status {status}) after the connection "
            'dropped (a run created with on_disconnect="cancel" ends with its connection); '
            "its partial state is not a result",
            run_id=run_id,
            thread_id=thread_id,
            status=status,
        )
    if status == "error" and raise_error and not _failed(result):
        raise RunFailedError(
            error=None, message="run ended with status error", run_id=run_id, thread_id=thread_id
        )
    return check_result(result, run, raise_error)


def _failed(result: Any) -> bool:
    return isinstance(result, dict) and "__error__" in result


# Threads


def thread_ttl(ttl: float | ThreadTTL | Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """Minutes until the thread is swept, or `{"ttl": minutes, "strategy": ...}` as is."""
    if ttl is None or isinstance(ttl, Mapping):
        return ttl
    return {"ttl": ttl}


def checkpoint_address(
    checkpoint: Checkpoint | None, checkpoint_id: str | None
) -> Checkpoint | None:
    """One checkpoint address from the `checkpoint` dict and/or the older `checkpoint_id`."""
    if checkpoint_id is None:
        return checkpoint
    merged: Checkpoint = {"checkpoint_id": checkpoint_id}
    merged.update(checkpoint or {})
    return merged


def history_before(before: str | Checkpoint | None) -> dict[str, Any] | None:
    """The history cursor in both shapes servers read: the spec's checkpoint fields, and the
    `configurable` form the in-memory server (0.16) looks up; it rejects a bare id with 422."""
    if before is None:
        return None
    fields = {"checkpoint_id": before} if isinstance(before, str) else dict(before)
    return {**fields, "configurable": fields}


# Crons


def cron_time(value: datetime | str | None) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else value


def cron_timezone(tz: str | tzinfo | None) -> str | None:
    """An IANA name for the server: a string as given, a `ZoneInfo` by its key, UTC as "UTC"."""
    if tz is None or isinstance(tz, str):
        return tz
    key = getattr(tz, "key", None)
    if isinstance(key, str):
        return key
    if tz == dt_timezone.utc:
        return "UTC"
    # A fixed offset has no IANA name; guessing one would schedule at the wrong hour.
    raise ValueError(
        f"timezone needs an IANA name such as 'Europe/Paris' or a ZoneInfo, got {tz!r}"
    )


def cron_body(
    assistant_id: str | UUID,
    schedule: str,
    end_time: datetime | str | None,
    enabled: bool | None,
    timezone: str | tzinfo | None,
    options: Mapping[str, Any],
) -> dict[str, Any]:
    if not schedule:
        raise ValueError("schedule is required, in cron syntax, e.g. '0 9 * * 1-5'")
    body = run_body(assistant_id, options)
    body.update(
        drop_none(
            {
                "schedule": schedule,
                "end_time": cron_time(end_time),
                "enabled": enabled,
                "timezone": cron_timezone(timezone),
            }
        )
    )
    return body


# Store


def store_labels(namespace: Sequence[str], name: str, *, allow_empty: bool) -> list[str]:
    """The namespace as a list, checked before anything is sent.

    Reading an item sends the namespace dot-joined, so a label holding "." would silently
    address a different namespace; an empty label cannot be read back at all.
    """
    if isinstance(namespace, str):
        raise TypeError(f"{name} must be a list of labels such as ['users', 'u1'], not a string")
    labels = list(namespace)
    if not labels and not allow_empty:
        raise ValueError(f"{name} must have at least one label")
    for label in labels:
        if not isinstance(label, str) or not label or "." in label:
            raise ValueError(
                f"invalid {name} label {label!r}: labels are non-empty strings without '.'"
            )
    return labels
