"""The public surface: `__all__`, the exception hierarchy, and what importing costs."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
import types

import httpx
import pytest

import langgraph_client
from langgraph_client import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    LangGraphError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RunFailedError,
    StreamLostError,
    UnprocessableEntityError,
)


def test_all_matches_the_public_names() -> None:
    exported = langgraph_client.__all__
    assert len(exported) == len(set(exported)), "duplicates in __all__"
    public = {
        name
        for name, value in vars(langgraph_client).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    } | set(langgraph_client._LAZY)  # the sync client, loaded on first use
    assert sorted(public - set(exported)) == [], "public names missing from __all__"
    assert sorted(set(exported) - public - {"__version__"}) == [], "__all__ names not defined"
    for name in exported:
        assert getattr(langgraph_client, name) is not None


def test_star_import_gives_exactly_all() -> None:
    namespace: dict[str, object] = {}
    exec("from langgraph_client import *", namespace)
    namespace.pop("__builtins__")
    assert set(namespace) == set(langgraph_client.__all__)


def test_every_exception_in_the_package_is_exported() -> None:
    from langgraph_client import _exceptions

    defined = {
        name
        for name, value in vars(_exceptions).items()
        if inspect.isclass(value)
        and issubclass(value, Exception)
        and value.__module__ == _exceptions.__name__
    }
    assert defined <= set(langgraph_client.__all__)
    assert defined == set(_exceptions.__all__)


def test_version_is_a_version() -> None:
    parts = langgraph_client.__version__.split(".")
    assert len(parts) >= 2 and all(p.isdigit() for p in parts[:2])


STATUS_CLASSES = [
    BadRequestError,
    AuthenticationError,
    PermissionDeniedError,
    NotFoundError,
    ConflictError,
    UnprocessableEntityError,
    RateLimitError,
    InternalServerError,
]


@pytest.mark.parametrize("cls", STATUS_CLASSES, ids=lambda c: c.__name__)
def test_status_classes_subclass_api_status_error(cls: type[Exception]) -> None:
    assert issubclass(cls, APIStatusError)
    assert cls.__mro__.index(APIStatusError) < cls.__mro__.index(APIError)
    assert cls.__mro__.index(APIError) < cls.__mro__.index(LangGraphError)


def test_hierarchy() -> None:
    assert issubclass(APIStatusError, APIError)
    assert issubclass(APIError, LangGraphError)
    assert issubclass(LangGraphError, Exception)
    assert issubclass(APITimeoutError, APIConnectionError)
    assert issubclass(StreamLostError, APIConnectionError)
    assert issubclass(APIConnectionError, APIError)
    assert issubclass(APIResponseValidationError, APIError)
    assert issubclass(RunFailedError, LangGraphError)
    # A run failure is not a transport or protocol problem.
    assert not issubclass(RunFailedError, APIError)
    assert not issubclass(APIConnectionError, APIStatusError)
    assert not issubclass(APIResponseValidationError, APIStatusError)
    # Status errors double as httpx's, for code written against the official SDK.
    assert issubclass(APIStatusError, httpx.HTTPStatusError)
    # Connection errors double as httpx's transport errors, as the official SDK lets those through.
    assert issubclass(APIConnectionError, httpx.TransportError)
    assert issubclass(APITimeoutError, httpx.TimeoutException)
    assert not issubclass(APIConnectionError, httpx.HTTPStatusError)


def test_status_error_carries_response_and_request() -> None:
    request = httpx.Request("GET", "http://x/threads/t")
    response = httpx.Response(404, request=request, headers={"x-request-id": "rid"})
    e = NotFoundError("gone", response=response, body={"detail": "gone"})
    assert (e.status_code, e.request_id, e.body, e.message) == (
        404,
        "rid",
        {"detail": "gone"},
        "gone",
    )
    assert e.response is response and e.request is request
    assert repr(e) == "NotFoundError('gone')"


# Import cost


def _modules_after(code: str) -> set[str]:
    script = f"import sys; {code}; import json; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    return set(json.loads(out.stdout))


FORBIDDEN = (
    "langchain_core",
    "langgraph_sdk",
    "langgraph",
    "pydantic",
    "websockets",
    "anyio",
    "numpy",
    "orjson_extra",
    "requests",
    "tenacity",
    "httpx_sse",
    "uvicorn",
    "starlette",
)


def test_import_loads_nothing_heavy_beyond_httpx_and_orjson() -> None:
    baseline = _modules_after("import httpx, orjson")
    loaded = _modules_after("import httpx, orjson; import langgraph_client")
    extra = {m.split(".")[0] for m in loaded - baseline}
    stdlib = set(sys.stdlib_module_names)
    third_party = sorted(m for m in extra - stdlib if m != "langgraph_client")
    assert third_party in ([], ["typing_extensions"]), third_party
    for name in FORBIDDEN:
        if name not in {m.split(".")[0] for m in baseline}:
            assert name not in extra, f"importing langgraph_client loads {name}"


def test_import_alone_has_no_heavy_dependencies() -> None:
    loaded = {m.split(".")[0] for m in _modules_after("import langgraph_client")}
    for name in ("langchain_core", "langgraph_sdk", "pydantic", "websockets", "numpy"):
        assert name not in loaded, name


def test_sub_clients_load_on_first_use() -> None:
    lazy = ("threads", "assistants", "crons", "store")
    loaded = _modules_after("import langgraph_client")
    assert not {f"langgraph_client.{name}" for name in lazy} & loaded
    used = _modules_after(
        "import langgraph_client; c = langgraph_client.get_client(api_key=None); c.threads"
    )
    assert "langgraph_client.threads" in used


def test_sub_clients_are_created_once() -> None:
    client = langgraph_client.get_client(api_key=None)
    for name in ("runs", "threads", "assistants", "crons", "store"):
        assert getattr(client, name) is getattr(client, name)
        assert getattr(client, name)._http is client._http


# The sync client


def test_sync_names_load_on_first_use_and_are_the_generated_classes() -> None:
    loaded = _modules_after("import langgraph_client")
    assert not {m for m in loaded if m.startswith("langgraph_client._sync")}
    from langgraph_client._sync import _client, _pagination, _stream

    assert langgraph_client.get_sync_client is _client.get_sync_client
    assert langgraph_client.SyncClient is _client.SyncClient
    assert langgraph_client.SyncLangGraphClient is _client.SyncClient  # the official SDK's name
    assert langgraph_client.SyncRunStream is _stream.SyncRunStream
    assert langgraph_client.SyncPaginator is _pagination.SyncPaginator
    assert "get_sync_client" in dir(langgraph_client)
    with pytest.raises(AttributeError, match="no_such_name"):
        langgraph_client.no_such_name  # noqa: B018


def test_one_copy_of_everything_that_is_not_io() -> None:
    """Errors, parts, `NOT_GIVEN` and the run body come from the same modules in both clients."""
    from langgraph_client import _sync
    from langgraph_client._sync import _http, _stream, runs

    assert _stream.StreamPart is langgraph_client.StreamPart
    assert _stream.RunEvents is langgraph_client._stream.RunEvents
    assert _http.NOT_GIVEN is langgraph_client.NOT_GIVEN
    assert _http.NotGiven is langgraph_client.NotGiven
    assert runs.run_body is langgraph_client.runs.run_body
    assert runs.APIConnectionError is APIConnectionError
    assert _sync.__doc__ and "generated" in _sync.__doc__


def test_sync_client_has_every_public_method_of_the_async_one() -> None:
    """Same names, parameters and defaults; coroutines become plain methods."""
    from langgraph_client import _client, assistants, crons, runs, store, threads
    from langgraph_client._sync import _client as sync_client
    from langgraph_client._sync import assistants as sync_assistants
    from langgraph_client._sync import crons as sync_crons
    from langgraph_client._sync import runs as sync_runs
    from langgraph_client._sync import store as sync_store
    from langgraph_client._sync import threads as sync_threads

    pairs = [
        (_client.Client, sync_client.SyncClient),
        (runs.RunsClient, sync_runs.SyncRunsClient),
        (threads.ThreadsClient, sync_threads.SyncThreadsClient),
        (assistants.AssistantsClient, sync_assistants.SyncAssistantsClient),
        (crons.CronClient, sync_crons.SyncCronClient),
        (store.StoreClient, sync_store.SyncStoreClient),
    ]
    renamed = {"aclose": "close", "__aenter__": "__enter__", "__aexit__": "__exit__"}
    for async_cls, sync_cls in pairs:
        for name, member in vars(async_cls).items():
            if name.startswith("_") and name not in renamed:
                continue
            twin = getattr(sync_cls, renamed.get(name, name))
            if isinstance(member, property):
                assert isinstance(twin, property), (sync_cls, name)
                continue
            async_params = inspect.signature(member).parameters
            sync_params = inspect.signature(twin).parameters
            assert list(async_params) == list(sync_params), (sync_cls, name)
            for param, spec in async_params.items():
                assert sync_params[param].default == spec.default, (sync_cls, name, param)
                assert sync_params[param].kind == spec.kind, (sync_cls, name, param)
            assert not inspect.iscoroutinefunction(twin), (sync_cls, name)
    get_client_params = inspect.signature(langgraph_client.get_client).parameters
    get_sync_params = inspect.signature(langgraph_client.get_sync_client).parameters
    assert list(get_client_params) == list(get_sync_params)
