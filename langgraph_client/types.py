"""Typed shapes of everything sent to and received from the LangGraph Agent Server.

This module holds only type information: `Literal` aliases for the enumerated options the
server accepts (stream modes, multitask strategies, sort fields, ...) and `TypedDict`s for the
JSON bodies it sends back (assistants, threads, runs, crons, store items, thread state, stream
payloads) and for the bodies a caller may build by hand (`RunCreate` for batch runs,
`CronUpdate`, superstep updates). At runtime every `TypedDict` is a plain `dict` and every
alias is a plain typing object, so there is nothing to construct or convert: the values the
client returns are the decoded JSON itself.

Conventions:

- Timestamps stay ISO 8601 strings, exactly as they arrive on the wire.
- A key the server always sends is required; a key it may leave out (older server versions,
  `select`-ed searches aside) is `NotRequired`. A key that may be present but `null` is
  typed `X | None`.
- Names match those of `langgraph_sdk.schema` wherever that module has one, so code written
  against the official SDK keeps type-checking.

Every public name is importable from `langgraph_client.types`, and listed in `__all__`.
Importing this module loads nothing beyond `typing`, `typing_extensions` and
`collections.abc`.

Annotations here are evaluated at import time on purpose (no `from __future__ import
annotations`): that keeps each `TypedDict`'s runtime `__required_keys__` / `__optional_keys__`
right, which postponed (string) annotations silently break for `Required` / `NotRequired`.
"""

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal, Protocol, TypeAlias

from typing_extensions import NotRequired, Required, TypedDict

__all__ = [
    "All",
    "Assistant",
    "AssistantBase",
    "AssistantGraph",
    "AssistantSelectField",
    "AssistantSortBy",
    "AssistantVersion",
    "AssistantsSearchResponse",
    "BulkCancelRunsStatus",
    "CancelAction",
    "Checkpoint",
    "CheckpointPayload",
    "CheckpointTaskPayload",
    "CheckpointsStreamPart",
    "Command",
    "Config",
    "Context",
    "Cron",
    "CronSelectField",
    "CronSortBy",
    "CronUpdate",
    "CustomStreamPart",
    "DebugCheckpointPayload",
    "DebugPayload",
    "DebugStreamPart",
    "DebugTaskPayload",
    "DebugTaskResultPayload",
    "DisconnectMode",
    "Durability",
    "ErrorPayload",
    "ErrorStreamPart",
    "EventsStreamPart",
    "GraphEdge",
    "GraphNode",
    "GraphSchema",
    "GraphSchemaNoId",
    "IfExists",
    "IfNotExists",
    "Input",
    "Interrupt",
    "Item",
    "Json",
    "LangSmithTracing",
    "ListNamespaceResponse",
    "MessagesCompleteStreamPart",
    "MessagesMetadataStreamPart",
    "MessagesPartialStreamPart",
    "MessagesTupleStreamPart",
    "Metadata",
    "MetadataStreamPart",
    "MultitaskStrategy",
    "OnCompletionBehavior",
    "OnConflictBehavior",
    "PruneStrategy",
    "Run",
    "RunCreate",
    "RunCreateMetadata",
    "RunMetadataPayload",
    "RunSelectField",
    "RunStatus",
    "SearchItem",
    "SearchItemsResponse",
    "Send",
    "ServerInfo",
    "SortOrder",
    "StreamMode",
    "StreamPartV2",
    "StreamVersion",
    "Subgraphs",
    "TTLStrategy",
    "TaskPayload",
    "TaskResultPayload",
    "TasksStreamPart",
    "Thread",
    "ThreadPruneResponse",
    "ThreadSelectField",
    "ThreadSortBy",
    "ThreadState",
    "ThreadStatus",
    "ThreadStreamMode",
    "ThreadSuperstep",
    "ThreadSuperstepUpdate",
    "ThreadTTL",
    "ThreadTTLInfo",
    "ThreadTask",
    "ThreadUpdateStateResponse",
    "UpdatesStreamPart",
    "ValuesStreamPart",
]


# --------------------------------------------------------------------------------------------
# Plain JSON aliases
# --------------------------------------------------------------------------------------------

Json: TypeAlias = dict[str, Any] | None
"""A JSON object, or `null`."""

Metadata: TypeAlias = dict[str, Any]
"""Free-form key/value metadata attached to an assistant, thread, run or cron."""

Context: TypeAlias = dict[str, Any]
"""Static run context, validated by the server against the graph's context schema."""


class _ModelLike(Protocol):
    """Anything with a pydantic-v2-style `model_dump()`; the client serializes it with that."""

    def model_dump(self, **kwargs: Any) -> dict[str, Any]: ...


class _DataclassLike(Protocol):
    """Any dataclass instance; the client serializes it field by field."""

    __dataclass_fields__: ClassVar[dict[str, Any]]
    """The dataclass's fields, present on every dataclass instance."""


Input: TypeAlias = (
    Mapping[str, Any] | list[Any] | str | int | float | bool | _ModelLike | _DataclassLike | None
)
"""Graph input: usually a mapping of state keys (a `TypedDict` instance fits), or any JSON value."""


# --------------------------------------------------------------------------------------------
# Enumerated options
# --------------------------------------------------------------------------------------------

StreamMode: TypeAlias = Literal[
    "values",
    "messages",
    "messages-tuple",
    "tasks",
    "checkpoints",
    "updates",
    "events",
    "debug",
    "custom",
    "tools",
    "lifecycle",
]
"""What a streamed run emits: full state (`values`), per-node deltas (`updates`), chat tokens
(`messages-tuple`, or the older `messages`), task start/finish (`tasks`), checkpoints,
LangChain callback `events`, everything (`debug`), or what the graph writes itself (`custom`).
`tools` and `lifecycle` belong to the server's newer event-streaming endpoints; the run routes
of langgraph-api 0.16 answer them with a 422."""

StreamVersion: TypeAlias = Literal["v1", "v2"]
"""Shape of a run stream's items: `StreamPart(event, data, id)` tuples (`v1`, the default), or
`StreamPartV2` dicts with `type`, `ns`, `data` and `interrupts` (`v2`)."""

ThreadStreamMode: TypeAlias = Literal["run_modes", "lifecycle", "state_update"]
"""What joining a thread's stream emits: every run's events (`run_modes`), run start/end only
(`lifecycle`), or state updates only (`state_update`)."""

MultitaskStrategy: TypeAlias = Literal["reject", "interrupt", "rollback", "enqueue"]
"""What a new run does when its thread is busy: fail with 409 (`reject`), stop the current run
and keep its progress (`interrupt`), stop it and discard its progress (`rollback`), or wait its
turn (`enqueue`, the server default)."""

RunStatus: TypeAlias = Literal["pending", "running", "error", "success", "timeout", "interrupted"]
"""Lifecycle state of a run; `pending` and `running` are the unfinished ones."""

ThreadStatus: TypeAlias = Literal["idle", "busy", "interrupted", "error"]
"""State of a thread: no run (`idle`), a run in progress (`busy`), stopped at an interrupt
waiting for input (`interrupted`), or its last run failed (`error`)."""

OnConflictBehavior: TypeAlias = Literal["raise", "do_nothing"]
"""On creating something whose id already exists: fail with 409, or return the existing one."""

IfExists: TypeAlias = OnConflictBehavior
"""The same as `OnConflictBehavior`, under the name of the body field (`if_exists`)."""

IfNotExists: TypeAlias = Literal["create", "reject"]
"""On running on a thread id that does not exist: create the thread, or fail with 404."""

OnCompletionBehavior: TypeAlias = Literal["delete", "keep"]
"""What happens to the temporary thread of a stateless run (or cron run) once it finishes."""

DisconnectMode: TypeAlias = Literal["cancel", "continue"]
"""What happens to a streamed or waited-on run when the client disconnects."""

Durability: TypeAlias = Literal["sync", "async", "exit"]
"""When checkpoints are written: before the next step starts (`sync`), while it runs
(`async`, the server default), or only when the graph exits (`exit`)."""

CancelAction: TypeAlias = Literal["interrupt", "rollback"]
"""How a run is cancelled: stop it and keep its checkpoints, or stop it and delete them."""

BulkCancelRunsStatus: TypeAlias = Literal["pending", "running", "all"]
"""Which runs a bulk cancel by status hits."""

PruneStrategy: TypeAlias = Literal["delete", "keep_latest"]
"""How threads are pruned: deleted entirely, or cut down to their latest checkpoint."""

TTLStrategy: TypeAlias = Literal["delete", "keep_latest"]
"""What a thread's time-to-live does on expiry: delete the thread, or keep only its latest state."""

SortOrder: TypeAlias = Literal["asc", "desc"]
"""Sort direction of a search."""

AssistantSortBy: TypeAlias = Literal["assistant_id", "graph_id", "name", "created_at", "updated_at"]
"""Fields an assistant search can sort by."""

ThreadSortBy: TypeAlias = Literal[
    "thread_id", "status", "created_at", "updated_at", "state_updated_at"
]
"""Fields a thread search can sort by."""

CronSortBy: TypeAlias = Literal[
    "cron_id",
    "assistant_id",
    "thread_id",
    "next_run_date",
    "end_time",
    "created_at",
    "updated_at",
]
"""Fields a cron search can sort by."""

All: TypeAlias = Literal["*"]
"""Wildcard meaning "every node", for `interrupt_before` / `interrupt_after`."""

AssistantSelectField: TypeAlias = Literal[
    "assistant_id",
    "graph_id",
    "name",
    "description",
    "config",
    "context",
    "created_at",
    "updated_at",
    "metadata",
    "version",
]
"""Assistant fields a search can be limited to with `select`."""

ThreadSelectField: TypeAlias = Literal[
    "thread_id",
    "created_at",
    "updated_at",
    "state_updated_at",
    "metadata",
    "config",
    "context",
    "status",
    "values",
    "interrupts",
]
"""Thread fields a search can be limited to with `select`."""

RunSelectField: TypeAlias = Literal[
    "run_id",
    "thread_id",
    "assistant_id",
    "created_at",
    "updated_at",
    "status",
    "metadata",
    "kwargs",
    "multitask_strategy",
    "cancel_reason",
    "langsmith_session_name",
]
"""Run fields a listing can be limited to with `select`."""

CronSelectField: TypeAlias = Literal[
    "cron_id",
    "assistant_id",
    "thread_id",
    "on_run_completed",
    "end_time",
    "schedule",
    "timezone",
    "created_at",
    "updated_at",
    "user_id",
    "payload",
    "next_run_date",
    "metadata",
    "now",
    "enabled",
]
"""Cron fields a search can be limited to with `select`."""


# --------------------------------------------------------------------------------------------
# Building blocks shared by requests and responses
# --------------------------------------------------------------------------------------------


class Config(TypedDict, total=False):
    """Runtime configuration of a graph run (a subset of LangChain's `RunnableConfig`)."""

    tags: list[str]
    """Tags attached to this run and its sub-runs, for tracing and filtering."""
    recursion_limit: int
    """Maximum number of supersteps before the run fails (LangGraph's default is 25)."""
    configurable: dict[str, Any]
    """Values read by the graph through `config["configurable"]`."""


class Checkpoint(TypedDict, total=False):
    """Address of one checkpoint of a thread; as input, any subset of the keys is accepted."""

    thread_id: str
    """The thread the checkpoint belongs to."""
    checkpoint_ns: str
    """Namespace of the (sub)graph the checkpoint belongs to; `""` for the root graph."""
    checkpoint_id: str | None
    """The checkpoint's id; `None` (or absent) means the latest one."""
    checkpoint_map: dict[str, Any] | None
    """Checkpoint ids of the parent graphs, keyed by namespace, for subgraph checkpoints."""


class LangSmithTracing(TypedDict, total=False):
    """Where a run's LangSmith trace goes, overriding the deployment's default."""

    project_name: str
    """LangSmith project to write the trace to."""
    example_id: str
    """LangSmith dataset example the trace is linked to."""


class Send(TypedDict):
    """Run a given node with a given input, as part of a `Command`."""

    node: str
    """Name of the node to run."""
    input: Any
    """The input that node receives (any JSON value)."""


class Command(TypedDict, total=False):
    """Instructions that steer a graph, in place of (or alongside) plain input."""

    goto: Send | str | Sequence[Send | str] | None
    """Node name(s) to go to next, or `Send`s that run nodes with a specific input."""
    update: dict[str, Any] | Sequence[tuple[str, Any]] | None
    """State update applied before continuing, as a mapping or as (key, value) pairs."""
    resume: Any
    """Value `interrupt()` returns on resume; map interrupt ids to values to resume several."""


class Interrupt(TypedDict):
    """A pause raised by `interrupt()` inside a graph, waiting for a resume value."""

    value: Any
    """The value the graph passed to `interrupt()`, typically a question or a payload to review."""
    id: str
    """Id of the interrupt; key of `Command(resume={id: value})` when resuming several."""
    response_schema: NotRequired[dict[str, Any] | None]
    """JSON Schema of the expected resume value, when the graph declares one."""
    resumable: NotRequired[bool]
    """Legacy (older LangGraph): whether the interrupt can be resumed."""
    ns: NotRequired[list[str] | None]
    """Legacy (older LangGraph): namespace of the task that raised the interrupt."""
    when: NotRequired[Literal["during"]]
    """Legacy (older LangGraph): when the interrupt happened; always `"during"`."""


class ErrorPayload(TypedDict):
    """How the server reports an exception raised by a graph (stream `error` events, `__error__`
    in a `wait` body, `Thread.error`)."""

    error: str
    """Exception class name, e.g. `"ValueError"`."""
    message: str
    """The exception's message."""


# --------------------------------------------------------------------------------------------
# Assistants
# --------------------------------------------------------------------------------------------


class GraphSchemaNoId(TypedDict):
    """JSON Schemas of a graph's input, output, state, config and context."""

    state_schema: dict[str, Any] | None
    """Schema of the graph's full state."""
    input_schema: NotRequired[dict[str, Any] | None]
    """Schema of the graph's input; absent or `None` when it cannot be generated."""
    output_schema: NotRequired[dict[str, Any] | None]
    """Schema of the graph's output; absent or `None` when it cannot be generated."""
    config_schema: NotRequired[dict[str, Any] | None]
    """Schema of `config["configurable"]`; absent or `None` when it cannot be generated."""
    context_schema: NotRequired[dict[str, Any] | None]
    """Schema of the run context; absent or `None` when the graph declares none."""


class GraphSchema(GraphSchemaNoId):
    """JSON Schemas of an assistant's graph (`GET /assistants/{id}/schemas`)."""

    graph_id: str
    """Id of the graph, as named in `langgraph.json`."""


Subgraphs: TypeAlias = dict[str, GraphSchemaNoId]
"""Schemas of a graph's subgraphs, keyed by namespace."""


class GraphNode(TypedDict):
    """One node of an assistant's drawable graph."""

    id: str | int
    """Node id (the node name for graph nodes)."""
    type: NotRequired[str]
    """Kind of node, e.g. `"runnable"` or `"schema"`."""
    data: NotRequired[Any]
    """What the node wraps: a name/id mapping for runnables, a schema or a string otherwise."""
    metadata: NotRequired[dict[str, Any] | None]
    """Metadata attached to the node in the graph definition."""


class GraphEdge(TypedDict):
    """One edge of an assistant's drawable graph."""

    source: str | int
    """Id of the node the edge leaves."""
    target: str | int
    """Id of the node the edge enters."""
    data: NotRequired[Any]
    """Label of a conditional edge."""
    conditional: NotRequired[bool]
    """Whether the edge is only taken on some condition."""


class AssistantGraph(TypedDict):
    """Drawable structure of an assistant's graph (`GET /assistants/{id}/graph`)."""

    nodes: list[GraphNode]
    """The graph's nodes, including `__start__` and `__end__`."""
    edges: list[GraphEdge]
    """The graph's edges."""


class AssistantBase(TypedDict):
    """Fields shared by an assistant and each of its versions."""

    assistant_id: str
    """Id of the assistant (a UUID)."""
    graph_id: str
    """Id of the graph the assistant runs, as named in `langgraph.json`."""
    config: Config
    """Configuration applied to every run of the assistant."""
    context: Context
    """Static context applied to every run of the assistant."""
    created_at: str
    """When the assistant (or this version of it) was created, ISO 8601."""
    metadata: Metadata
    """The assistant's metadata."""
    version: int
    """Version number; every update makes a new version."""
    name: str
    """Human-readable name of the assistant."""
    description: str | None
    """Human-readable description of the assistant."""


class AssistantVersion(AssistantBase):
    """One saved version of an assistant (`POST /assistants/{id}/versions`)."""


class Assistant(AssistantBase):
    """An assistant: a graph together with its configuration."""

    updated_at: str
    """When the assistant was last updated, ISO 8601."""


class AssistantsSearchResponse(TypedDict):
    """One page of an assistant search together with the cursor to the next page."""

    assistants: list[Assistant]
    """The assistants on this page."""
    next: str | None
    """Offset of the next page (from the `X-Pagination-Next` header); `None` on the last page."""


# --------------------------------------------------------------------------------------------
# Threads and their state
# --------------------------------------------------------------------------------------------


class ThreadTTL(TypedDict, total=False):
    """Time-to-live to set on a thread when creating or updating it."""

    ttl: Required[float]
    """Minutes from now until the thread is swept."""
    strategy: TTLStrategy
    """What happens on expiry; the server default is `"delete"`."""


class ThreadTTLInfo(TypedDict, total=False):
    """Time-to-live of a thread as the server reports it."""

    strategy: TTLStrategy
    """What happens on expiry."""
    ttl_minutes: float
    """The time-to-live, in minutes."""
    expires_at: str
    """When the thread expires, ISO 8601."""


class ThreadSuperstepUpdate(TypedDict, total=False):
    """One state update inside a superstep, used to pre-populate a thread on creation."""

    as_node: Required[str]
    """Node the update is attributed to."""
    values: dict[str, Any] | list[Any] | None
    """State values written by the update."""
    command: Command | None
    """A command applied instead of (or with) `values`."""


class ThreadSuperstep(TypedDict):
    """One superstep of updates applied to a new thread (`supersteps` in `POST /threads`)."""

    updates: list[ThreadSuperstepUpdate]
    """The updates applied together in this superstep."""


class Thread(TypedDict):
    """A thread: a conversation whose state persists across runs."""

    thread_id: str
    """Id of the thread (a UUID)."""
    created_at: str
    """When the thread was created, ISO 8601."""
    updated_at: str
    """When the thread was last updated, ISO 8601."""
    metadata: Metadata
    """The thread's metadata."""
    status: ThreadStatus
    """Whether the thread is idle, busy, interrupted or errored."""
    state_updated_at: NotRequired[str]
    """When the thread's state last changed, ISO 8601."""
    config: NotRequired[dict[str, Any]]
    """Configuration of the thread's latest run."""
    values: NotRequired[Json]
    """The thread's current state values; `None` before its first run."""
    interrupts: NotRequired[dict[str, list[Interrupt]]]
    """Pending interrupts, keyed by the id of the task that raised them."""
    error: NotRequired[ErrorPayload | None]
    """The exception that failed the thread's last run, if it failed."""
    ttl: NotRequired[ThreadTTLInfo]
    """The thread's time-to-live, when one is set and was asked for."""
    extracted: NotRequired[dict[str, Any]]
    """Values picked out by the `extract` option of a thread search, keyed by alias."""


class ThreadTask(TypedDict):
    """A task (one node execution) that is pending or was attempted in a step."""

    id: str
    """Id of the task."""
    name: str
    """Name of the node the task runs."""
    error: str | None
    """Representation of the exception the task raised, if it failed."""
    interrupts: list[Interrupt]
    """Interrupts the task raised."""
    checkpoint: Checkpoint | None
    """Checkpoint of the subgraph this task runs, if it runs one."""
    state: "ThreadState | None"
    """State of the subgraph this task runs, when subgraph states were requested."""
    result: NotRequired[dict[str, Any] | None]
    """What the task wrote, once it finished."""
    path: NotRequired[list[Any]]
    """Internal path of the task within the graph."""


class ThreadState(TypedDict):
    """A thread's state at one checkpoint."""

    values: dict[str, Any]
    """The state's channels (empty before the first run; a list at runtime for list states)."""
    next: list[str]
    """Nodes that run next; empty when the graph has finished."""
    checkpoint: Checkpoint | None
    """The checkpoint this state is at; `None` for a thread with no checkpoint yet."""
    metadata: Json
    """Checkpoint metadata (source, step, run id, ...); `None` for a thread with no checkpoint."""
    created_at: str | None
    """When the checkpoint was written, ISO 8601; `None` for a thread with no checkpoint."""
    parent_checkpoint: Checkpoint | None
    """The previous checkpoint; `None` for the first one."""
    tasks: list[ThreadTask]
    """Tasks of the next step; tasks already attempted carry their error or interrupts."""
    interrupts: list[Interrupt]
    """Interrupts pending at this checkpoint."""
    checkpoint_id: NotRequired[str | None]
    """Legacy duplicate of `checkpoint["checkpoint_id"]`."""
    parent_checkpoint_id: NotRequired[str | None]
    """Legacy duplicate of `parent_checkpoint["checkpoint_id"]`."""


class ThreadUpdateStateResponse(TypedDict):
    """Result of writing a thread's state (`POST /threads/{id}/state`)."""

    checkpoint: Checkpoint
    """The checkpoint the update created."""
    configurable: NotRequired[dict[str, Any]]
    """Legacy: the same checkpoint as a `configurable` mapping."""
    checkpoint_id: NotRequired[str]
    """Legacy duplicate of `checkpoint["checkpoint_id"]`."""


class ThreadPruneResponse(TypedDict):
    """Result of pruning threads (`POST /threads/prune`)."""

    pruned_count: int
    """How many threads were pruned."""


# --------------------------------------------------------------------------------------------
# Runs
# --------------------------------------------------------------------------------------------


class Run(TypedDict):
    """One execution of an assistant, on a thread or stateless."""

    run_id: str
    """Id of the run (a UUID)."""
    thread_id: str
    """Thread the run runs on (a temporary one for stateless runs)."""
    assistant_id: str
    """Assistant the run executes."""
    created_at: str
    """When the run was created, ISO 8601."""
    updated_at: str
    """When the run was last updated, ISO 8601."""
    status: RunStatus
    """Where the run is in its lifecycle."""
    metadata: Metadata
    """The run's metadata."""
    multitask_strategy: MultitaskStrategy
    """How the run treats other runs on its thread."""
    kwargs: dict[str, Any]
    """The arguments the run was created with (input, command, config, stream modes, ...)."""
    cancel_reason: NotRequired[str | None]
    """Why the run was cancelled, if it was; absent on older servers."""
    langsmith_session_name: NotRequired[str | None]
    """LangSmith project the run is traced to, when tracing is on."""


class RunCreate(TypedDict, total=False):
    """Body of a run-creation request, one item of `POST /runs/batch`."""

    assistant_id: Required[str]
    """Assistant to run: its UUID, or a graph id to use that graph's default assistant."""
    thread_id: str | None
    """Accepted for compatibility with `langgraph_sdk`; batch runs are always stateless."""
    input: Input
    """Input to the graph."""
    command: Command | None
    """Command to steer the graph with, e.g. to resume an interrupt."""
    metadata: Metadata
    """Metadata to attach to the run."""
    config: Config
    """Configuration for the run, merged over the assistant's."""
    context: Context
    """Static context for the run, merged over the assistant's."""
    checkpoint: Checkpoint
    """Checkpoint to start from, on a thread."""
    checkpoint_id: str
    """Id of the checkpoint to start from, on a thread."""
    checkpoint_during: bool
    """Deprecated in favour of `durability`: whether to write checkpoints during the run."""
    interrupt_before: All | list[str]
    """Nodes to pause before, or `"*"` for all of them."""
    interrupt_after: All | list[str]
    """Nodes to pause after, or `"*"` for all of them."""
    webhook: str
    """URL the server calls when the run finishes."""
    on_disconnect: DisconnectMode
    """What happens to the run if the client disconnects from its stream or wait."""
    on_completion: OnCompletionBehavior
    """What happens to a stateless run's temporary thread when the run finishes."""
    multitask_strategy: MultitaskStrategy
    """What to do if the thread already has a run in progress."""
    if_not_exists: IfNotExists
    """What to do if the thread does not exist."""
    after_seconds: float
    """Delay before the run starts, in seconds."""
    durability: Durability
    """When the run writes its checkpoints."""
    stream_mode: StreamMode | list[StreamMode]
    """Stream mode(s) the run records for streaming."""
    stream_subgraphs: bool
    """Whether subgraph events are streamed too."""
    stream_resumable: bool
    """Whether the stream is kept so it can be rejoined later with `Last-Event-ID`."""
    feedback_keys: list[str]
    """LangSmith feedback keys to make signed feedback URLs for."""
    langsmith_tracer: LangSmithTracing
    """Where the run's LangSmith trace goes (the SDK's `langsmith_tracing` argument)."""


class RunCreateMetadata(TypedDict):
    """Ids of a newly created run, known from the response headers before any body arrives."""

    run_id: str
    """Id of the run."""
    thread_id: str | None
    """Id of the run's thread; `None` when the headers do not say (stateless runs)."""


# --------------------------------------------------------------------------------------------
# Crons
# --------------------------------------------------------------------------------------------


class Cron(TypedDict):
    """A scheduled run, repeated on a cron schedule."""

    cron_id: str
    """Id of the cron (a UUID)."""
    assistant_id: str
    """Assistant each scheduled run executes."""
    thread_id: str | None
    """Thread each run goes to; `None` for a stateless cron (a new thread each time)."""
    end_time: str | None
    """When the cron stops firing, ISO 8601; `None` for never."""
    schedule: str
    """The schedule, in cron syntax."""
    created_at: str
    """When the cron was created, ISO 8601."""
    updated_at: str
    """When the cron was last updated, ISO 8601."""
    payload: dict[str, Any]
    """The run-creation body used for each scheduled run."""
    user_id: str | None
    """Id of the user who owns the cron, when authentication is on."""
    next_run_date: str | None
    """When the cron fires next, ISO 8601."""
    metadata: Metadata
    """The cron's metadata."""
    timezone: NotRequired[str | None]
    """IANA time zone the schedule is read in; `None` means UTC."""
    on_run_completed: NotRequired[OnCompletionBehavior | None]
    """What happens to each run's thread afterwards (stateless crons only)."""
    enabled: NotRequired[bool]
    """Whether the cron fires; absent on older servers."""
    now: NotRequired[str]
    """The server's current time, ISO 8601, when `select`-ed."""


class CronUpdate(TypedDict, total=False):
    """Fields to change on an existing cron (`PATCH /runs/crons/{id}`)."""

    schedule: str
    """New schedule, in cron syntax."""
    timezone: str
    """New IANA time zone for the schedule."""
    end_time: str | None
    """New end time, ISO 8601; `None` clears it."""
    input: Input
    """New input for each scheduled run."""
    metadata: Metadata
    """Metadata merged into the cron's metadata."""
    config: Config
    """New configuration for each scheduled run."""
    context: Context
    """New static context for each scheduled run."""
    webhook: str
    """New URL called when each scheduled run finishes."""
    interrupt_before: All | list[str]
    """New nodes to pause before, or `"*"` for all of them."""
    interrupt_after: All | list[str]
    """New nodes to pause after, or `"*"` for all of them."""
    on_run_completed: OnCompletionBehavior
    """New behavior for each run's thread afterwards (stateless crons only)."""
    enabled: bool
    """Turn the cron on or off."""
    stream_mode: StreamMode | list[StreamMode]
    """New stream mode(s) for each scheduled run."""
    stream_subgraphs: bool
    """Whether each scheduled run streams subgraph events."""
    stream_resumable: bool
    """Whether each scheduled run keeps its stream for rejoining."""
    durability: Durability
    """When each scheduled run writes its checkpoints."""


# --------------------------------------------------------------------------------------------
# Store
# --------------------------------------------------------------------------------------------


class Item(TypedDict):
    """A document in the cross-thread store."""

    namespace: list[str]
    """Path of the folder-like namespace holding the item."""
    key: str
    """Key of the item, unique within its namespace."""
    value: dict[str, Any]
    """The stored document."""
    created_at: str
    """When the item was created, ISO 8601."""
    updated_at: str
    """When the item was last updated, ISO 8601."""


class SearchItem(Item):
    """A store item returned by a search, with its relevance score."""

    score: NotRequired[float | None]
    """Similarity to the search query; `None` when the search had no query."""


class SearchItemsResponse(TypedDict):
    """Result of a store search (`POST /store/items/search`)."""

    items: list[SearchItem]
    """Matching items, best first."""


class ListNamespaceResponse(TypedDict):
    """Result of listing store namespaces (`POST /store/namespaces`)."""

    namespaces: list[list[str]]
    """The namespaces found, each a path of strings."""


# --------------------------------------------------------------------------------------------
# Server
# --------------------------------------------------------------------------------------------


class ServerInfo(TypedDict):
    """What the server says about itself (`GET /info`)."""

    version: str
    """Version of the LangGraph API server."""
    langgraph_py_version: str
    """Version of the `langgraph` library the server runs."""
    flags: dict[str, Any]
    """Enabled features, e.g. `{"assistants": True, "crons": True}`."""
    metadata: NotRequired[dict[str, Any]]
    """Deployment metadata, on servers that report it under this name."""
    host: NotRequired[dict[str, Any]]
    """Deployment metadata (host kind, project and revision ids), on recent servers."""


# --------------------------------------------------------------------------------------------
# Stream event payloads (the JSON `data:` of server-sent events)
# --------------------------------------------------------------------------------------------


class RunMetadataPayload(TypedDict):
    """Data of the `metadata` event that opens every run stream."""

    run_id: str
    """Id of the run being streamed."""
    attempt: NotRequired[int]
    """Attempt number of the run, starting at 1."""


class TaskPayload(TypedDict):
    """Data of a `tasks` event (or `debug` event of type `task`) announcing a task start."""

    id: str
    """Id of the task."""
    name: str
    """Name of the node the task runs."""
    input: Any
    """The task's input."""
    triggers: list[str]
    """Channels whose update triggered the task."""
    metadata: NotRequired[dict[str, Any]]
    """Run metadata attached to the task."""


class TaskResultPayload(TypedDict):
    """Data of a `tasks` event (or `debug` event of type `task_result`) reporting a task end."""

    id: str
    """Id of the task."""
    name: str
    """Name of the node the task ran."""
    error: str | None
    """Representation of the exception the task raised, if it failed."""
    interrupts: list[Interrupt]
    """Interrupts the task raised."""
    result: dict[str, Any]
    """What the task wrote, keyed by channel."""


class CheckpointTaskPayload(TypedDict):
    """A task as listed inside a checkpoint payload."""

    id: str
    """Id of the task."""
    name: str
    """Name of the node the task runs."""
    state: dict[str, Any] | None
    """State (or config) of the subgraph the task runs, if any."""
    interrupts: NotRequired[list[Interrupt]]
    """Interrupts the task raised."""
    error: NotRequired[str]
    """Representation of the exception the task raised, if it failed."""
    result: NotRequired[Any]
    """What the task wrote, once it finished."""


class CheckpointPayload(TypedDict):
    """Data of a `checkpoints` event (or `debug` event of type `checkpoint`)."""

    config: dict[str, Any] | None
    """Runnable config addressing the new checkpoint."""
    parent_config: dict[str, Any] | None
    """Runnable config addressing the previous checkpoint; `None` for the first one."""
    metadata: dict[str, Any]
    """Checkpoint metadata (source, step, parents)."""
    values: dict[str, Any]
    """State values at the checkpoint."""
    next: list[str]
    """Nodes that run next."""
    tasks: list[CheckpointTaskPayload]
    """Tasks of the next step."""
    checkpoint: NotRequired[Checkpoint]
    """The new checkpoint's address (in `debug` events)."""
    parent_checkpoint: NotRequired[Checkpoint | None]
    """The previous checkpoint's address (in `debug` events)."""


class DebugCheckpointPayload(TypedDict):
    """Data of a `debug` event reporting a new checkpoint."""

    step: int
    """Superstep number."""
    timestamp: str
    """When the event happened, ISO 8601."""
    type: Literal["checkpoint"]
    """Kind of debug event."""
    payload: CheckpointPayload
    """The checkpoint."""


class DebugTaskPayload(TypedDict):
    """Data of a `debug` event reporting a task start."""

    step: int
    """Superstep number."""
    timestamp: str
    """When the event happened, ISO 8601."""
    type: Literal["task"]
    """Kind of debug event."""
    payload: TaskPayload
    """The task that started."""


class DebugTaskResultPayload(TypedDict):
    """Data of a `debug` event reporting a task end."""

    step: int
    """Superstep number."""
    timestamp: str
    """When the event happened, ISO 8601."""
    type: Literal["task_result"]
    """Kind of debug event."""
    payload: TaskResultPayload
    """The task that finished."""


DebugPayload: TypeAlias = DebugCheckpointPayload | DebugTaskPayload | DebugTaskResultPayload
"""Data of any `debug` event; tell the kinds apart by `type`."""


# --------------------------------------------------------------------------------------------
# Stream parts, version "v2" (`runs.stream(..., version="v2")`)
# --------------------------------------------------------------------------------------------
# One class per event type, every one with the same four keys, so `part["type"]` narrows the
# union. `interrupts` is always present (empty but for `values` parts whose state carried
# `__interrupt__`), as the official SDK sends it at runtime.


class ValuesStreamPart(TypedDict):
    """A `values` event: the full state after a step."""

    type: Literal["values"]
    """The event type."""
    ns: list[str]
    """Subgraph namespace (`["node:task_id", ...]`); empty for the root graph."""
    data: dict[str, Any]
    """The state values, without `__interrupt__`."""
    interrupts: list[Interrupt]
    """The interrupts taken out of the state's `__interrupt__` key."""


class UpdatesStreamPart(TypedDict):
    """An `updates` event: what each node of a step wrote."""

    type: Literal["updates"]
    """The event type."""
    ns: list[str]
    """Subgraph namespace; empty for the root graph."""
    data: dict[str, Any]
    """Node name to its update (`__interrupt__` to the interrupts raised)."""
    interrupts: list[Interrupt]
    """Always empty (interrupts stay in `data`, as the server sends them)."""


class MessagesTupleStreamPart(TypedDict):
    """A `messages` event (`stream_mode="messages-tuple"`): one token chunk."""

    type: Literal["messages"]
    """The event type."""
    ns: list[str]
    """Subgraph namespace; empty for the root graph."""
    data: list[Any]
    """`[message chunk, metadata]`."""
    interrupts: list[Interrupt]
    """Always empty."""


class MessagesPartialStreamPart(TypedDict):
    """A `messages/partial` event (`stream_mode="messages"`): messages so far."""

    type: Literal["messages/partial"]
    """The event type."""
    ns: list[str]
    """Subgraph namespace; empty for the root graph."""
    data: list[dict[str, Any]]
    """The messages, each accumulated so far."""
    interrupts: list[Interrupt]
    """Always empty."""


class MessagesCompleteStreamPart(TypedDict):
    """A `messages/complete` event (`stream_mode="messages"`): finished messages."""

    type: Literal["messages/complete"]
    """The event type."""
    ns: list[str]
    """Subgraph namespace; empty for the root graph."""
    data: list[dict[str, Any]]
    """The complete messages."""
    interrupts: list[Interrupt]
    """Always empty."""


class MessagesMetadataStreamPart(TypedDict):
    """A `messages/metadata` event (`stream_mode="messages"`): metadata of new messages."""

    type: Literal["messages/metadata"]
    """The event type."""
    ns: list[str]
    """Subgraph namespace; empty for the root graph."""
    data: dict[str, Any]
    """Message id to its metadata (node, step, ...)."""
    interrupts: list[Interrupt]
    """Always empty."""


class CustomStreamPart(TypedDict):
    """A `custom` event: what a node wrote with its stream writer."""

    type: Literal["custom"]
    """The event type."""
    ns: list[str]
    """Subgraph namespace; empty for the root graph."""
    data: Any
    """Whatever the node wrote."""
    interrupts: list[Interrupt]
    """Always empty."""


class CheckpointsStreamPart(TypedDict):
    """A `checkpoints` event: a checkpoint was saved."""

    type: Literal["checkpoints"]
    """The event type."""
    ns: list[str]
    """Subgraph namespace; empty for the root graph."""
    data: CheckpointPayload
    """The checkpoint."""
    interrupts: list[Interrupt]
    """Always empty."""


class TasksStreamPart(TypedDict):
    """A `tasks` event: a task started or finished."""

    type: Literal["tasks"]
    """The event type."""
    ns: list[str]
    """Subgraph namespace; empty for the root graph."""
    data: TaskPayload | TaskResultPayload
    """The task's start (`input`, `triggers`) or its result (`result`, `error`)."""
    interrupts: list[Interrupt]
    """Always empty (a task's interrupts are in `data["interrupts"]`)."""


class DebugStreamPart(TypedDict):
    """A `debug` event: checkpoints and tasks, with step numbers and timestamps."""

    type: Literal["debug"]
    """The event type."""
    ns: list[str]
    """Subgraph namespace; empty for the root graph."""
    data: DebugPayload
    """The debug event."""
    interrupts: list[Interrupt]
    """Always empty."""


class EventsStreamPart(TypedDict):
    """An `events` event: a LangChain callback event (`on_chain_start`, ...)."""

    type: Literal["events"]
    """The event type."""
    ns: list[str]
    """Subgraph namespace; empty for the root graph."""
    data: dict[str, Any]
    """The callback event."""
    interrupts: list[Interrupt]
    """Always empty."""


class MetadataStreamPart(TypedDict):
    """The `metadata` event that opens every run stream."""

    type: Literal["metadata"]
    """The event type."""
    ns: list[str]
    """Always empty."""
    data: RunMetadataPayload
    """The run id and attempt."""
    interrupts: list[Interrupt]
    """Always empty."""


class ErrorStreamPart(TypedDict):
    """An `error` event: the run failed (a stream with `raise_error=True` raises instead)."""

    type: Literal["error"]
    """The event type."""
    ns: list[str]
    """Always empty."""
    data: ErrorPayload
    """The error's type and message."""
    interrupts: list[Interrupt]
    """Always empty."""


StreamPartV2: TypeAlias = (
    ValuesStreamPart
    | UpdatesStreamPart
    | MessagesTupleStreamPart
    | MessagesPartialStreamPart
    | MessagesCompleteStreamPart
    | MessagesMetadataStreamPart
    | CustomStreamPart
    | CheckpointsStreamPart
    | TasksStreamPart
    | DebugStreamPart
    | EventsStreamPart
    | MetadataStreamPart
    | ErrorStreamPart
)
"""One item of a `version="v2"` stream; `part["type"]` tells which. An event type this client
does not know yet (from a newer server) still arrives, as a dict of the same four keys."""
