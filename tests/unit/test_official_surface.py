"""Every public method and argument name of the official SDK's clients (`langgraph_sdk`
0.4.14, installed in the dev venv as a point of comparison) is accepted here, on the async and
the sync client, so code written for it does not fail with a `TypeError` or `AttributeError`."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

import pytest

import langgraph_client
from langgraph_client import _payloads

# The comparison SDK is a dev dependency of `.venv` only (not of the small per-Python venvs).
pytest.importorskip("langgraph_sdk", reason="langgraph-sdk (a dev dependency) is not installed")

SUB_CLIENTS = ("assistants", "threads", "runs", "crons", "store", "http")


def accepted(fn: Callable[..., Any]) -> set[str]:
    """The keyword names `fn` takes: its parameters, and the keys of an `**options` TypedDict."""
    names: set[str] = set()
    for param in inspect.signature(fn).parameters.values():
        if param.kind is param.VAR_KEYWORD:
            typed = re.search(r"Unpack\[(\w+)\]", str(param.annotation))
            assert typed, f"{fn.__qualname__} takes untyped **{param.name}"
            names |= set(getattr(_payloads, typed.group(1)).__annotations__)
        elif param.kind is not param.VAR_POSITIONAL and param.name != "self":
            names.add(param.name)
    return names


def public_methods(obj: object) -> dict[str, Callable[..., Any]]:
    return {
        name: fn
        for name, fn in inspect.getmembers(type(obj), inspect.isfunction)
        if not name.startswith("_")
    }


def _pairs() -> list[tuple[str, Any, Any]]:
    import langgraph_sdk

    ours = langgraph_client.get_client(url="http://x", api_key=None)
    ours_sync = langgraph_client.get_sync_client(url="http://x", api_key=None)
    theirs = langgraph_sdk.get_client(url="http://x", api_key=None)
    theirs_sync = langgraph_sdk.get_sync_client(url="http://x", api_key=None)
    return [("async", theirs, ours), ("sync", theirs_sync, ours_sync)]


@pytest.mark.parametrize("kind", ["async", "sync"])
def test_every_official_method_and_argument_is_accepted(kind: str) -> None:
    (_, theirs, ours) = next(p for p in _pairs() if p[0] == kind)
    gaps = []
    checked = 0
    for name in public_methods(theirs):
        if not hasattr(ours, name):
            gaps.append(f"client.{name}")
    for sub in SUB_CLIENTS:
        mine = getattr(ours, sub)
        for name, fn in public_methods(getattr(theirs, sub)).items():
            checked += 1
            if not hasattr(mine, name):
                gaps.append(f"{sub}.{name}")
                continue
            missing = accepted(fn) - accepted(getattr(type(mine), name))
            if missing:
                gaps.append(f"{sub}.{name}({', '.join(sorted(missing))})")
    assert checked >= 50  # the comparison really ran over the official surface (53 methods)
    assert gaps == []


@pytest.mark.parametrize("kind", ["async", "sync"])
def test_get_client_takes_every_official_argument(kind: str) -> None:
    import langgraph_sdk

    if kind == "async":
        assert accepted(langgraph_sdk.get_client) <= accepted(langgraph_client.get_client)
    else:
        assert accepted(langgraph_sdk.get_sync_client) <= accepted(langgraph_client.get_sync_client)
