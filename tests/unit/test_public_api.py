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
    }
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
