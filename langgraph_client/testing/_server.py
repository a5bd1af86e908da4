"""Start and stop a real in-memory LangGraph Agent Server (`langgraph dev`), offline, on 127.0.0.1.

Standard library only: `scripts/agent_server.py` loads this file by path, so it runs under any
Python >= 3.10 without the package installed. The server comes from `langgraph-cli[inmem]`
(`pip install "langgraph-client[server]"`), found beside the running interpreter unless a
`langgraph` executable is given.

    from langgraph_client.testing import running_server

    with running_server("path/to/folder/with/langgraph.json") as url:
        ...  # e.g. get_client(url=url)
"""

from __future__ import annotations

import contextlib
import importlib.util
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
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "INSTALL_HINT",
    "AgentServer",
    "ServerError",
    "find_langgraph",
    "free_port",
    "running_server",
]

INSTALL_HINT = 'install the server extra: pip install "langgraph-client[server]"'

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


# What the isolated copy of a project leaves out: state, caches, environments, VCS.
_COPY_IGNORE = shutil.ignore_patterns(
    ".langgraph_api",
    "__pycache__",
    "*.pyc",
    ".venv*",
    ".tox",
    ".nox",
    "node_modules",
    ".git",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
)


class ServerError(RuntimeError):
    """The server did not start (the message carries the tail of its log)."""


def free_port() -> int:
    """A port that was free on 127.0.0.1 a moment ago (bind port 0, read it back)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def find_langgraph() -> Path | None:
    """The `langgraph` CLI installed with `langgraph-cli[inmem]` beside this interpreter, or
    `None` when the CLI or the in-memory server is not installed here."""
    for module in ("langgraph_cli", "langgraph_api", "langgraph_runtime_inmem"):
        if importlib.util.find_spec(module) is None:
            return None
    folder = Path(sys.executable).parent
    for name in ("langgraph", "langgraph.exe"):
        if (folder / name).is_file():
            return folder / name
    found = shutil.which("langgraph", path=str(folder))
    return Path(found) if found else None


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

    install_hint = INSTALL_HINT
    """What the error says to do when the ``langgraph`` CLI is missing."""

    def __init__(
        self,
        config_dir: str | os.PathLike[str],
        *,
        port: int | None = None,
        log_path: str | os.PathLike[str] | None = None,
        langgraph_bin: str | os.PathLike[str] | None = None,
        isolate: bool = True,
    ) -> None:
        self.config_dir: Path = Path(config_dir).resolve()
        self.isolate: bool = isolate
        self.workdir: Path = self.config_dir
        self.port: int = port or free_port()
        self.url: str = f"http://{HOST}:{self.port}"
        # A log we made ourselves is removed on a clean stop; a failed start keeps it.
        self._temp_log = log_path is None
        if log_path is None:
            fd, name = tempfile.mkstemp(prefix="agent-server-", suffix=".log")
            os.close(fd)
            log_path = name
        self.log_path: Path = Path(log_path)
        found = langgraph_bin or find_langgraph()
        self.langgraph_bin: Path | None = Path(found) if found else None
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
        elif self.langgraph_bin is None or not os.access(self.langgraph_bin, os.X_OK):
            problem = (
                f"`langgraph` not found ({self.langgraph_bin or 'not installed'}): "
                f"{self.install_hint}"
            )
        elif not _port_free(self.port):
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
    langgraph_bin: str | os.PathLike[str] | None = None,
) -> Iterator[str]:
    """Run the server for ``config_dir`` for the duration of the block; yield its base URL.

    With ``isolate`` (the default) the server runs in a temporary copy of ``config_dir``, so its
    ``.langgraph_api/`` state never meets another server's.
    """
    server = AgentServer(
        config_dir, log_path=log_path, isolate=isolate, langgraph_bin=langgraph_bin
    )
    server.start(timeout)
    try:
        yield server.url
    finally:
        server.stop()
