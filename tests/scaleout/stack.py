"""Start and stop the scaled-out Agent Server: Postgres, Redis, two workers, haproxy (stdlib only).

Everything binds 127.0.0.1 on free ports, lives in one temporary folder under /tmp (reachable by
the ``postgres`` user, which Postgres needs when we are root), and every wait is bounded. Each
process is started by us as a direct child (no daemons), so ``stop()`` ends exactly the PIDs it
started, and removes the folder, even after a failed start or a failed test.

    with Stack(install.ensure()) as stack:
        stack.proxy_url, stack.workers[0].url  # http://127.0.0.1:PORT
        stack.workers[0].kill()                # SIGKILL, as a crashed pod
        stack.workers[0].start()               # the same port again

``python -m tests.scaleout.stack`` starts it, prints the URLs and waits for Ctrl-C.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from tests.scaleout.install import Tools, log

HOST = "127.0.0.1"
Command = Sequence["str | os.PathLike[str]"]
HERE = Path(__file__).resolve().parent
START_TIMEOUT = 90.0
STOP_TIMEOUT = 10.0
# Concurrent runs a worker takes on: every scenario of a variant runs on one worker at once.
JOBS_PER_WORKER = 16


class StackError(RuntimeError):
    """A part of the stack did not start (the message carries its log's tail)."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(what: str, check: Callable[[], bool], timeout: float, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise StackError(f"{what}: not ready after {timeout:.0f} s")
        time.sleep(interval)


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/ok", timeout=2) as response:
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class Process:
    """One child process with its own log file, stopped by its PID (and its own session)."""

    def __init__(self, name: str, log_path: Path) -> None:
        self.name = name
        self.log_path = log_path
        self.popen: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.popen is not None, f"{self.name} is not running"
        return self.popen.pid

    def spawn(self, cmd: Command, **kwargs: Any) -> None:
        with open(self.log_path, "ab") as out:
            self.popen = subprocess.Popen(
                list(cmd),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl-C in the terminal is ours to handle
                **kwargs,
            )

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def check_alive(self) -> None:
        if self.popen is not None and self.popen.poll() is not None:
            raise StackError(
                f"{self.name} exited with {self.popen.returncode}:\n{_tail(self.log_path)}"
            )

    def send(self, sig: signal.Signals) -> None:
        if self.alive():
            assert self.popen is not None
            self.popen.send_signal(sig)

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> None:
        """`sig`, then SIGKILL if it is still there after STOP_TIMEOUT; reaps the child."""
        if self.popen is None:
            return
        popen, self.popen = self.popen, None
        if popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                popen.send_signal(signal.SIGCONT)  # a stopped process cannot act on SIGTERM
                popen.send_signal(sig)
            try:
                popen.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    popen.kill()
                popen.wait(STOP_TIMEOUT)

    def kill(self) -> None:
        """SIGKILL, as when a pod or a machine dies: no shutdown code runs."""
        self.stop(signal.SIGKILL)


class Worker(Process):
    """One `langhost serve` process (an Agent Server worker) on its own port."""

    def __init__(
        self, name: str, log_path: Path, port: int, cmd: list[str], env: dict[str, str], cwd: Path
    ) -> None:
        super().__init__(name, log_path)
        self.port = port
        self.url = f"http://{HOST}:{port}"
        self._cmd, self._env, self._cwd = cmd, env, cwd

    def start(self, timeout: float = START_TIMEOUT) -> float:
        """Start and wait for `GET /ok`; returns the seconds it took."""
        started = time.monotonic()
        self.spawn(self._cmd, env=self._env, cwd=self._cwd)

        def ready() -> bool:
            self.check_alive()
            return http_ok(self.url)

        wait_until(f"{self.name} ({self.url})", ready, timeout, interval=0.2)
        return time.monotonic() - started

    def pause(self) -> None:
        """SIGSTOP: the process holds its port and its connections but does nothing."""
        self.send(signal.SIGSTOP)

    def resume(self) -> None:
        self.send(signal.SIGCONT)


class Stack:
    """The whole scaled-out server; a context manager that always cleans up."""

    def __init__(self, tools: Tools, *, jobs_per_worker: int = JOBS_PER_WORKER) -> None:
        self.tools = tools
        self.jobs_per_worker = jobs_per_worker
        self.root = Path(tempfile.mkdtemp(prefix="langgraph-client-scaleout-", dir="/tmp"))
        self.processes: list[Process] = []
        self.workers: list[Worker] = []
        self.proxy_url = ""
        self.timings: dict[str, float] = {}
        self._pg_user: dict[str, Any] = {}
        if os.geteuid() == 0:
            # Postgres refuses to run as root; its folders must be the postgres user's.
            try:
                entry = pwd.getpwnam("postgres")
            except KeyError:
                shutil.rmtree(self.root, ignore_errors=True)
                raise StackError("no `postgres` user to run Postgres as (we are root)") from None
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
            self._pg_user = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
        self.pg_port = free_port()
        self.redis_port = free_port()
        self.database_uri = f"postgres://postgres@{HOST}:{self.pg_port}/langgraph?sslmode=disable"
        self.redis_uri = f"redis://{HOST}:{self.redis_port}/0"
        self._admin_socket = self.root / "haproxy.sock"

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> Stack:
        try:
            self.start()
        except StackError as exc:
            # The logs go with the folder: say what they said first.
            tails = self.log_tails()
            self.stop()
            raise StackError(f"{exc}\n{tails}") from None
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _timed(self, label: str, step: Callable[[], object]) -> None:
        started = time.monotonic()
        step()
        self.timings[label] = time.monotonic() - started
        log(f"{label}: {self.timings[label]:.1f} s")

    def start(self) -> None:
        started = time.monotonic()
        self._timed("postgres", self._start_postgres)
        self._timed("redis", self._start_redis)
        self._timed("schema migrate", self._migrate)
        app = self.root / "app"
        app.mkdir()
        for name in ("graph.py", "langgraph.json"):
            shutil.copy(HERE / name, app / name)
        for index in (1, 2):
            worker = self._make_worker(f"worker{index}", app)
            self.workers.append(worker)
            self.processes.append(worker)
            self._timed(f"worker{index}", worker.start)
        self._timed("haproxy", self._start_haproxy)
        self.timings["total"] = time.monotonic() - started
        log(f"stack up in {self.timings['total']:.1f} s: proxy {self.proxy_url}")

    def stop(self) -> None:
        """Stop every process we started, newest first, then remove the folder."""
        for process in reversed(self.processes):
            # Postgres: SIGINT is its "fast" shutdown (SIGTERM waits for clients to leave).
            process.stop(signal.SIGINT if process.name == "postgres" else signal.SIGTERM)
        self.processes.clear()
        shutil.rmtree(self.root, ignore_errors=True)

    # -- the parts -----------------------------------------------------------------------------

    def _run(self, label: str, cmd: Command, timeout: float = 120, **kwargs: Any) -> None:
        done = subprocess.run(
            list(cmd),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
            **kwargs,
        )
        if done.returncode != 0:
            output = (done.stdout + done.stderr).decode(errors="replace")
            raise StackError(f"{label} failed (exit {done.returncode}):\n{output[-4000:]}")

    def _start_postgres(self) -> None:
        data = self.root / "pg"
        pg = self.tools.pg_bin
        self._run(
            "initdb",
            [
                pg / "initdb",
                "-D",
                data,
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "--locale=C",  # whatever the machine's locale: C goes with any encoding
                "-E",
                "UTF8",
            ],
            cwd=self.root,
            **self._pg_user,
        )
        process = Process("postgres", self.root / "postgres.log")
        self.processes.append(process)
        process.spawn(
            [
                pg / "postgres",
                "-D", data,
                "-p", str(self.pg_port),
                "-k", self.root,
                "-c", f"listen_addresses={HOST}",
                "-c", "fsync=off",
                "-c", "synchronous_commit=off",
                "-c", "full_page_writes=off",
                "-c", "max_connections=300",
            ],
            cwd=self.root,
            **self._pg_user,
        )  # fmt: skip

        def ready() -> bool:
            process.check_alive()
            probe = subprocess.run(
                [pg / "pg_isready", "-q", "-h", HOST, "-p", str(self.pg_port), "-U", "postgres"],
                capture_output=True,
                timeout=10,
                check=False,
            )
            return probe.returncode == 0

        wait_until("postgres", ready, 60, interval=0.2)
        self._run(
            "createdb",
            [pg / "createdb", "-h", HOST, "-p", str(self.pg_port), "-U", "postgres", "langgraph"],
        )

    def _start_redis(self) -> None:
        process = Process("redis", self.root / "redis.log")
        self.processes.append(process)
        process.spawn(
            [
                self.tools.redis_server,
                "--bind", HOST,
                "--port", str(self.redis_port),
                "--save", "",
                "--appendonly", "no",
                "--dir", self.root,
            ],
            cwd=self.root,
        )  # fmt: skip

        def ready() -> bool:
            process.check_alive()
            try:
                with socket.create_connection((HOST, self.redis_port), timeout=2) as sock:
                    sock.sendall(b"PING\r\n")
                    return sock.recv(16).startswith(b"+PONG")
            except OSError:
                return False

        wait_until("redis", ready, 30)

    def _server_env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("LANGSMITH_API_KEY", "LANGCHAIN_API_KEY", "LANGGRAPH_API_KEY")
        }
        env.update(
            DATABASE_URI=self.database_uri,
            REDIS_URI=self.redis_uri,
            # A dead worker's runs are reclaimed after a few missed 2 s heartbeats (~4-8 s).
            LG_BG_JOB_HEARTBEAT="2",
            N_JOBS_PER_WORKER=str(self.jobs_per_worker),
            LG_RUNTIME_PG_AUTO_MIGRATE="false",
            # The tests read each run's stored events after the trial (default: 2 min).
            RESUMABLE_STREAM_TTL_SECONDS="900",
            LANGGRAPH_NO_VERSION_CHECK="true",
            LANGSMITH_TRACING="false",
            LANGGRAPH_CLI_NO_ANALYTICS="1",
            PYTHONUNBUFFERED="1",
            LOG_COLOR="false",
        )
        return env

    def _migrate(self) -> None:
        self._run(
            "langgraph-runtime-pg-migrate upgrade",
            [self.tools.venv / "bin" / "langgraph-runtime-pg-migrate", "upgrade"],
            env=self._server_env(),
            cwd=self.root,
        )

    def _make_worker(self, name: str, app: Path) -> Worker:
        port = free_port()
        cmd = [
            str(self.tools.venv / "bin" / "langhost"),
            "serve",
            "--host", HOST,
            "--port", str(port),
            "-c", "langgraph.json",
            "--n-jobs-per-worker", str(self.jobs_per_worker),
            "--no-browser",
            "--server-log-level", "warning",
        ]  # fmt: skip
        return Worker(name, self.root / f"{name}.log", port, cmd, self._server_env(), app)

    def _start_haproxy(self) -> None:
        port = free_port()
        config = self.root / "haproxy.cfg"
        servers = "\n".join(f"    server {w.name} {HOST}:{w.port} check" for w in self.workers)
        config.write_text(
            f"""global
    maxconn 2000
    stats socket {self._admin_socket} mode 600 level admin

defaults
    mode http
    timeout connect 1s
    timeout client 10m
    timeout server 10m
    timeout check 2s
    option http-server-close
    option redispatch
    retries 3

frontend clients
    bind {HOST}:{port}
    default_backend workers

backend workers
    balance roundrobin
    option httpchk GET /ok
    default-server inter 1s fall 2 rise 2
{servers}
"""
        )
        process = Process("haproxy", self.root / "haproxy.log")
        self.processes.append(process)
        # -db: stay in the foreground, so the PID we hold is haproxy itself.
        process.spawn([self.tools.haproxy, "-db", "-f", config], cwd=self.root)
        self.proxy_url = f"http://{HOST}:{port}"

        def ready() -> bool:
            process.check_alive()
            return http_ok(self.proxy_url) and all(
                self.proxy_state(w.name) == "UP" for w in self.workers
            )

        wait_until("haproxy", ready, 30)

    # -- haproxy's admin socket ----------------------------------------------------------------

    def _admin(self, command: str) -> str:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(5)
            sock.connect(str(self._admin_socket))
            sock.sendall(command.encode() + b"\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode(errors="replace")

    def proxy_state(self, worker: str) -> str:
        """haproxy's view of a worker: "UP", "DOWN", "MAINT", ... ("" if unknown)."""
        lines = self._admin("show stat").splitlines()
        if not lines:
            return ""
        header = lines[0].lstrip("# ").split(",")
        for line in lines[1:]:
            row = dict(zip(header, line.split(","), strict=False))
            if row.get("pxname") == "workers" and row.get("svname") == worker:
                return row.get("status", "").split(" ")[0]
        return ""

    def proxy_maint(self, worker: str) -> None:
        """Send the proxy's new requests to the other worker only."""
        self._admin(f"set server workers/{worker} state maint")

    def proxy_ready(self, worker: str, timeout: float = 15.0) -> None:
        """Put the worker back and wait until the proxy's checks see it up."""
        self._admin(f"set server workers/{worker} state ready")
        wait_until(f"haproxy: {worker} up", lambda: self.proxy_state(worker) == "UP", timeout)

    def log_tails(self) -> str:
        return "\n".join(f"--- {p.name}\n{_tail(p.log_path, 15)}" for p in self.processes)


def main() -> int:
    from tests.scaleout import install

    tools = install.ensure()
    with Stack(tools) as stack:
        print(f"proxy   {stack.proxy_url}")
        for worker in stack.workers:
            print(f"{worker.name} {worker.url} (pid {worker.pid})")
        print("Ctrl-C to stop", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()
    return 0


if __name__ == "__main__":
    sys.exit(main())
