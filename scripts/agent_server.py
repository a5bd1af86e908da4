#!/usr/bin/env python3
"""Start and stop the real in-memory LangGraph Agent Server, offline, on 127.0.0.1.

Stdlib only, so any Python >= 3.10 can run it. The server itself comes from
``<repo>/.venv-server`` (made by ``scripts/bootstrap``).

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
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
START_TIMEOUT = 90.0
STOP_TIMEOUT = 10.0

# Stop the server's only outbound calls: CLI analytics, the version check, tracing.
_SERVER_ENV = {
    "LANGGRAPH_CLI_NO_ANALYTICS": "1",
    "LANGGRAPH_NO_VERSION_CHECK": "true",
    "LANGSMITH_TRACING": "false",
    "PYTHONUNBUFFERED": "1",
    "LOG_COLOR": "false",  # plain text log, readable in an error message
}
# Any of these would turn tracing on (or, for the client, leak into the server's env).
_DROPPED_ENV = ("LANGSMITH_API_KEY", "LANGCHAIN_API_KEY", "LANGGRAPH_API_KEY")


_COPY_IGNORE = shutil.ignore_patterns(
    ".langgraph_api", "__pycache__", ".venv*", ".git", "*.pyc", ".mypy_cache", ".pytest_cache"
)


class ServerError(RuntimeError):
    """The server did not start (the message carries the tail of its log)."""


def free_port() -> int:
    """A port that was free on 127.0.0.1 a moment ago (bind port 0, read it back)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
        return True


def _ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/ok", timeout=2) as response:
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


class AgentServer:
    """One ``langgraph dev`` process serving the ``langgraph.json`` in ``config_dir``."""

    def __init__(
        self,
        config_dir: str | os.PathLike[str],
        *,
        port: int | None = None,
        log_path: str | os.PathLike[str] | None = None,
        langgraph_bin: str | os.PathLike[str] | None = None,
        isolate: bool = True,
    ) -> None:
        self.config_dir = Path(config_dir).resolve()
        self.isolate = isolate
        self.workdir = self.config_dir
        self.port = port or free_port()
        self.url = f"http://{HOST}:{self.port}"
        # A log we made ourselves is removed on a clean stop; a failed start keeps it.
        self._temp_log = log_path is None
        if log_path is None:
            fd, name = tempfile.mkstemp(prefix="agent-server-", suffix=".log")
            os.close(fd)
            log_path = name
        self.log_path = Path(log_path)
        self.langgraph_bin = Path(langgraph_bin or REPO / ".venv-server" / "bin" / "langgraph")
        self.process: subprocess.Popen[bytes] | None = None

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def _clean_state(self) -> None:
        # `langgraph dev` reloads ./.langgraph_api on start: never let one run see another's data.
        shutil.rmtree(self.workdir / ".langgraph_api", ignore_errors=True)

    def _prepare_workdir(self) -> None:
        # `langgraph dev` persists to ./.langgraph_api whatever its config says, so two servers
        # sharing a folder (two test sessions, a demo beside a test run) would wipe or reload each
        # other's state. By default each server runs in its own temporary copy of the folder.
        if not self.isolate:
            return
        parent = Path(tempfile.mkdtemp(prefix="agent-server-"))
        self.workdir = parent / self.config_dir.name
        shutil.copytree(self.config_dir, self.workdir, ignore=_COPY_IGNORE, symlinks=True)

    def start(self, timeout: float = START_TIMEOUT) -> str:
        """Start the server and wait until ``GET /ok`` answers 200; return its URL."""
        problem = None
        if not (self.config_dir / "langgraph.json").is_file():
            problem = f"no langgraph.json in {self.config_dir}"
        elif not os.access(self.langgraph_bin, os.X_OK):
            problem = f"{self.langgraph_bin} not found: run scripts/bootstrap first"
        elif _ok(self.url) or not _port_free(self.port):
            # Else a server already there would answer /ok and pass for ours.
            problem = f"port {self.port} on {HOST} is already in use"
        if problem:
            self.stop()
            raise ServerError(problem)
        self._prepare_workdir()
        self._clean_state()
        env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
        env.update(_SERVER_ENV)
        cmd = [
            str(self.langgraph_bin),
            "dev",
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--no-browser",
            "--no-reload",
            "--n-jobs-per-worker",
            "10",
            "--config",
            "langgraph.json",
        ]
        try:
            with open(self.log_path, "ab") as log:
                self.process = subprocess.Popen(
                    cmd,
                    cwd=self.workdir,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    # Own process group: a terminal's Ctrl-C reaches us, and we stop it in order.
                    start_new_session=True,
                )
        except OSError as exc:
            self.stop(keep_log=True)
            raise ServerError(f"cannot start {self.langgraph_bin}: {exc}") from exc
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code is not None:
                self.stop(keep_log=True)
                raise ServerError(
                    f"agent server exited with code {code} before answering /ok "
                    f"(log {self.log_path}):\n{self.log_tail()}"
                )
            if _ok(self.url):
                return self.url
            time.sleep(0.1)
        self.stop(keep_log=True)
        raise ServerError(
            f"agent server did not answer {self.url}/ok within {timeout:.0f} s "
            f"(log {self.log_path}):\n{self.log_tail()}"
        )

    def stop(self, timeout: float = STOP_TIMEOUT, *, keep_log: bool = False) -> None:
        """SIGTERM the process we started, SIGKILL it after ``timeout`` s; clean its state."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            self._signal(process, signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._signal(process, signal.SIGKILL)
                process.wait(timeout)
        if not self.isolate:
            self._clean_state()
        elif self.workdir != self.config_dir:
            shutil.rmtree(self.workdir.parent, ignore_errors=True)
            self.workdir = self.config_dir
        if self._temp_log and not keep_log:
            self.log_path.unlink(missing_ok=True)

    @staticmethod
    def _signal(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
        # The group id is the PID of the process we started (start_new_session=True).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def running_server(
    config_dir: str | os.PathLike[str],
    *,
    log_path: str | os.PathLike[str] | None = None,
    timeout: float = START_TIMEOUT,
    isolate: bool = True,
) -> Iterator[str]:
    """Run the server for ``config_dir`` for the duration of the block; yield its base URL.

    With ``isolate`` (the default) the server runs in a temporary copy of ``config_dir``, so its
    ``.langgraph_api/`` state never meets another server's.
    """
    server = AgentServer(config_dir, log_path=log_path, isolate=isolate)
    server.start(timeout)
    try:
        yield server.url
    finally:
        server.stop()


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
