#!/usr/bin/env python3
"""Start and stop the real in-memory LangGraph Agent Server, offline, on 127.0.0.1.

Stdlib only, so any Python >= 3.10 can run it. The logic lives in
``langgraph_client/testing/_server.py`` (shipped to users as ``langgraph_client.testing``); this
script runs the server from ``<repo>/.venv-server`` (made by ``scripts/bootstrap``).

From Python::

    from agent_server import running_server

    with running_server("tests/server") as url:
        ...  # e.g. httpx.get(f"{url}/ok")

From the shell (starts the server, runs the command with ``LANGGRAPH_URL`` set, stops the
server, exits with the command's code)::

    python scripts/agent_server.py run --config-dir examples -- python examples/quickstart_wait.py
    python scripts/agent_server.py serve --config-dir tests/server   # until Ctrl-C
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SERVER_BIN = REPO / ".venv-server" / "bin" / "langgraph"
"""The pinned server that scripts/bootstrap installs for this repo's tests and demo."""


def _load_server_module() -> ModuleType:
    # By path, not `import langgraph_client...`: this script runs under any Python, with or
    # without the package (and its dependencies) installed. The module is stdlib-only.
    name = "_langgraph_client_testing_server"
    if name in sys.modules:
        return sys.modules[name]
    location = REPO / "langgraph_client" / "testing" / "_server.py"
    spec = importlib.util.spec_from_file_location(name, location)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_server = _load_server_module()
HOST: str = _server.HOST
START_TIMEOUT: float = _server.START_TIMEOUT
ServerError = _server.ServerError
free_port = _server.free_port


class AgentServer(_server.AgentServer):  # type: ignore[misc,name-defined]
    """`langgraph_client.testing.AgentServer`, running this repo's pinned server by default."""

    install_hint = "run scripts/bootstrap first"

    def __init__(self, config_dir: str | os.PathLike[str], **kwargs: Any) -> None:
        kwargs["langgraph_bin"] = kwargs.get("langgraph_bin") or SERVER_BIN
        super().__init__(config_dir, **kwargs)


def running_server(
    config_dir: str | os.PathLike[str], **kwargs: Any
) -> AbstractContextManager[str]:
    """`langgraph_client.testing.running_server` with this repo's pinned server by default."""
    kwargs["langgraph_bin"] = kwargs.get("langgraph_bin") or SERVER_BIN
    manager: AbstractContextManager[str] = _server.running_server(config_dir, **kwargs)
    return manager


def _raise_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="action", required=True)
    for name, text in (
        ("run", "start the server, run a command with LANGGRAPH_URL set, stop the server"),
        ("serve", "start the server and keep it running until Ctrl-C"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("--config-dir", default=".", help="folder holding langgraph.json")
        p.add_argument("--port", type=int, default=None, help="port (default: a free one)")
        p.add_argument(
            "--log", default=None, help="server log file (default: a temp file, removed at exit)"
        )
        p.add_argument("--timeout", type=float, default=START_TIMEOUT, help="start timeout, s")
        p.add_argument(
            "--in-place",
            action="store_true",
            help="run in --config-dir itself, not in a temporary copy of it",
        )
        if name == "run":
            p.add_argument("command", nargs=argparse.REMAINDER, help="-- command [args...]")
    args = parser.parse_args(argv)

    command: list[str] = list(getattr(args, "command", []) or [])
    if command[:1] == ["--"]:
        command = command[1:]
    if args.action == "run" and not command:
        parser.error("run needs a command after --")

    signal.signal(signal.SIGTERM, _raise_on_sigterm)
    server = AgentServer(
        args.config_dir, port=args.port, log_path=args.log, isolate=not args.in_place
    )
    try:
        url = server.start(args.timeout)
    except ServerError as exc:
        print(f"agent_server: {exc}", file=sys.stderr)
        return 1
    keep_log = args.log is not None
    try:
        print(f"agent_server: {url} (log {server.log_path})", file=sys.stderr, flush=True)
        if args.action == "serve":
            while server.process is not None and server.process.poll() is None:
                time.sleep(0.5)
            print(f"agent_server: server exited:\n{server.log_tail()}", file=sys.stderr)
            keep_log = True
            return 1
        return subprocess.call(command, env={**os.environ, "LANGGRAPH_URL": url})
    except KeyboardInterrupt:
        return 130
    finally:
        server.stop(keep_log=keep_log)


if __name__ == "__main__":
    sys.exit(main())
