"""The table of what may be re-sent (`_retry.ENDPOINTS`), checked against the server's OpenAPI
spec row by row, and through a client: the mode comes from the table, never from a call site."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from langgraph_client import APIConnectionError, InternalServerError, _retry
from langgraph_client._paths import path as fill

from .conftest import HOSTILE_IDS, MockFactory, RecordingStream

pytestmark = pytest.mark.both_clients

# The Agent Server's published spec (a copy of shared/agent-server/openapi.json).
SPEC = Path(__file__).resolve().parents[1] / "data" / "openapi.json"
METHODS = ("get", "post", "put", "patch", "delete")

# Endpoints the client calls that this version of the spec does not list.
NOT_IN_SPEC = {
    ("POST", "/threads/prune"),
    ("PATCH", "/runs/crons/{cron_id}"),
    ("POST", "/threads/{thread_id}/stream/events"),  # thread streaming (newer servers)
    ("POST", "/threads/{thread_id}/commands"),
}

RUN_CREATING = {
    ("POST", "/runs"),
    ("POST", "/runs/stream"),
    ("POST", "/runs/wait"),
    ("POST", "/runs/batch"),
    ("POST", "/threads/{thread_id}/runs"),
    ("POST", "/threads/{thread_id}/runs/stream"),
    ("POST", "/threads/{thread_id}/runs/wait"),
}
NEVER_RESENT = {
    ("PATCH", "/assistants/{assistant_id}"),  # a new version each time
    ("POST", "/threads/{thread_id}/runs/{run_id}/cancel"),
    ("POST", "/runs/cancel"),
    ("POST", "/threads/{thread_id}/state"),  # a new checkpoint each time
    ("POST", "/threads/{thread_id}/copy"),
    ("POST", "/runs/crons"),
    ("POST", "/threads/{thread_id}/runs/crons"),
    ("POST", "/threads/{thread_id}/commands"),
}


def spec_endpoints() -> set[tuple[str, str]]:
    if not SPEC.exists():
        pytest.skip(f"{SPEC} not found")
    paths = json.loads(SPEC.read_text())["paths"]
    return {(m.upper(), p) for p, ops in paths.items() for m in ops if m in METHODS}


def table() -> dict[tuple[str, str], _retry.Rule]:
    return {(rule.method, rule.path): rule for rule in _retry.ENDPOINTS}


def concrete(template: str, ident: str = "0b6a-id") -> str:
    """`template` with every `{name}` filled by `ident`, encoded as the client encodes ids."""
    return fill(re.sub(r"\{[^}]*\}", "{}", template), *([ident] * template.count("{")))


def test_every_endpoint_of_the_spec_has_a_row() -> None:
    missing = spec_endpoints() - set(table())
    assert missing == set(), f"add a row to _retry.ENDPOINTS for {sorted(missing)}"


def test_every_row_is_in_the_spec_or_known_to_be_missing_from_it() -> None:
    extra = set(table()) - spec_endpoints()
    assert extra == NOT_IN_SPEC


def test_rows_are_unique_and_explained() -> None:
    assert len(table()) == len(_retry.ENDPOINTS)
    for rule in _retry.ENDPOINTS:
        assert rule.mode in ("safe", "connect")
        assert rule.why.strip()


@pytest.mark.parametrize("ident", ["0b6a-id", *(raw for raw, _ in HOSTILE_IDS)])
@pytest.mark.parametrize("rule", _retry.ENDPOINTS, ids=lambda r: f"{r.method} {r.path}")
def test_each_row_matches_its_own_paths_and_no_other_row(rule: _retry.Rule, ident: str) -> None:
    sent = concrete(rule.path, ident)
    assert _retry.rule_for(rule.method, sent) is rule
    others = [r for r in _retry.ENDPOINTS if r is not rule and r.method == rule.method]
    assert [r.path for r in others if r.pattern.fullmatch(sent)] == []


@pytest.mark.parametrize(("method", "template"), sorted(spec_endpoints() | NOT_IN_SPEC))
def test_modes_follow_the_rules_of_issue_8(method: str, template: str) -> None:
    mode = _retry.mode_for(method, concrete(template))
    if (method, template) in RUN_CREATING | NEVER_RESENT or method == "DELETE":
        assert mode == "connect"
    elif method == "GET":
        assert mode == "safe"
    if template.endswith(("/search", "/count")):
        assert mode == "safe"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/threads/T/runs/R/extra"),
        ("GET", "/threads//runs"),
        ("POST", "/threads/T/runs/R"),
        ("GET", "/nope"),
        ("PATCH", "/store/items"),
        ("GET", "/threads/T/runs/R/join/"),
    ],
)
def test_an_unknown_endpoint_is_never_resent_once_it_may_have_arrived(
    method: str, path: str, every_endpoint_in_the_retry_table: list[tuple[str, str]]
) -> None:
    assert _retry.rule_for(method, path) is None
    assert _retry.mode_for(method, path) == "connect"
    assert every_endpoint_in_the_retry_table == [(method, path)] * 2
    every_endpoint_in_the_retry_table.clear()  # looked up on purpose


@pytest.mark.parametrize(
    ("body", "mode"),
    [
        ({"thread_id": "T", "if_exists": "do_nothing"}, "safe"),
        ({"thread_id": "T", "if_exists": "raise"}, "connect"),
        ({"thread_id": "T"}, "connect"),
        ({"if_exists": "do_nothing"}, "connect"),  # the server picks a new id each time
        ({"thread_id": None, "if_exists": "do_nothing"}, "connect"),
        (["not", "a", "dict"], "connect"),
        (None, "connect"),
    ],
)
def test_a_create_is_safe_only_with_a_fixed_id_and_do_nothing(body: Any, mode: str) -> None:
    assert _retry.mode_for("POST", "/threads", lambda: body) == mode
    renamed = body
    if isinstance(body, dict) and "thread_id" in body:
        renamed = {"assistant_id": body["thread_id"], **{k: v for k, v in body.items()}}
        del renamed["thread_id"]
    assert _retry.mode_for("POST", "/assistants", lambda: renamed) == mode


# Through a client: the table decides, behind a base path and with any ids.


def failing_then(status: int | type[Exception]) -> Any:
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            if isinstance(status, int):
                return httpx.Response(status, json={"detail": "x"})
            raise status("boom", request=request)
        return httpx.Response(200, json={"ok": 1})

    return handler


@pytest.mark.parametrize("base", ["http://testserver", "http://testserver/api/v1?tenant=t1"])
async def test_client_sends_what_the_table_says(
    mock: MockFactory, no_retry_delay: None, base: str
) -> None:
    client, requests = mock(failing_then(503), url=base, max_retries=1)
    assert await client.threads.get("a/b") == {"ok": 1}  # a read: sent again
    assert len(requests) == 2
    client, requests = mock(failing_then(503), url=base, max_retries=1)
    with pytest.raises(InternalServerError):
        await client.assistants.update("a/b", metadata={"v": 1})  # a new version: once
    assert len(requests) == 1
    client, requests = mock(failing_then(httpx.ReadError), url=base, max_retries=1)
    with pytest.raises(APIConnectionError):
        await client.threads.delete("..")
    assert len(requests) == 1
    client, requests = mock(failing_then(httpx.ConnectError), url=base, max_retries=1)
    await client.threads.delete("..")  # it never left: sent again
    assert len(requests) == 2


async def test_a_broken_2xx_body_is_resent_only_where_safe(
    mock: MockFactory, no_retry_delay: None
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if len(requests) == 1:
            broken = RecordingStream(
                [b'{"assistant_id": "A", "ver'], error=httpx.ReadError("reset")
            )
            return httpx.Response(200, stream=broken, headers={"content-type": "x/json"})
        return httpx.Response(200, json={"assistant_id": "A"})

    client, requests = mock(handler, max_retries=2)
    assert await client.assistants.get("A") == {"assistant_id": "A"}
    assert len(requests) == 2
    client, requests = mock(handler, max_retries=2)
    with pytest.raises(APIConnectionError):
        await client.assistants.update("A", metadata={"v": 2})
    assert len(requests) == 1
