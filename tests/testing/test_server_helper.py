"""`AgentServer` / `find_langgraph` (the real-server helper) without starting a server."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from langgraph_client.testing import AgentServer, ServerError, _server


def test_missing_langgraph_json_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ServerError, match=r"no langgraph\.json in"):
        AgentServer(tmp_path, langgraph_bin=sys.executable).start()


def test_missing_cli_names_the_extra(tmp_path: Path) -> None:
    (tmp_path / "langgraph.json").write_text("{}")
    with pytest.raises(ServerError, match=r'pip install "langgraph-client\[server\]"'):
        AgentServer(tmp_path, langgraph_bin=tmp_path / "nope").start()


def test_find_langgraph_needs_the_inmem_server(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec

    def without_api(name: str, package: str | None = None) -> object:
        return None if name == "langgraph_api" else real(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", without_api)
    assert _server.find_langgraph() is None


def test_find_langgraph_is_the_cli_beside_the_interpreter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, package=None: object())
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    assert _server.find_langgraph() is None  # installed packages, but no CLI script
    cli = tmp_path / "langgraph"
    cli.write_text("#!/bin/sh\n")
    cli.chmod(0o755)
    assert _server.find_langgraph() == cli
