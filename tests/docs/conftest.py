"""A real Agent Server serving ``examples/`` for the docs pages and the notebook."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parent.parent.parent


def _agent_server() -> ModuleType:
    name = "_agent_server_script"  # shared with tests/integration/conftest.py
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / "agent_server.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="session")
def examples_server_url() -> Iterator[str]:
    """Base URL of a real Agent Server serving ``examples/langgraph.json``."""
    agent_server = _agent_server()
    server = agent_server.AgentServer(REPO / "examples")
    try:
        url: str = server.start()
    except agent_server.ServerError as exc:
        pytest.fail(f"could not start the Agent Server for examples/: {exc}", pytrace=False)
    try:
        yield url
    finally:
        server.stop()
