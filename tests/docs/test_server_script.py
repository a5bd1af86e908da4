"""`scripts/server start/status/stop`, the documented way to get a local server for the
quickstart: it serves the given langgraph.json on the given port, refuses a busy port, and stops."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _server(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    return subprocess.run(
        [str(REPO / "scripts" / "server"), *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=REPO,
    )


@pytest.mark.integration
def test_start_serves_the_config_on_the_port_then_stop_stops_it() -> None:
    port = str(_free_port())
    started = _server("start", "--port", port, "--config", "examples")
    try:
        assert started.returncode == 0, started.stderr
        assert f"http://127.0.0.1:{port} serving examples/langgraph.json" in started.stdout
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/assistants/search", b"{}") as r:
            graphs = {a["graph_id"] for a in json.loads(r.read())}
        assert {"agent", "chat"} <= graphs
        assert f"http://127.0.0.1:{port} running" in _server("status").stdout
        again = _server("start", "--port", port, "--config", "examples")
        assert again.returncode == 1 and "already running" in again.stderr
    finally:
        stopped = _server("stop", "--port", port)
    assert stopped.returncode == 0, stopped.stderr
    assert f"stopped http://127.0.0.1:{port}" in stopped.stdout
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/ok", timeout=2)
    assert not list((REPO / ".server").glob(f"{port}.*")), "stop leaves no pid or log behind"


@pytest.mark.integration
def test_start_refuses_a_port_in_use() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        done = _server("start", "--port", port, "--config", "examples")
    assert done.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in done.stderr
    assert not list((REPO / ".server").glob(f"{port}.*"))
