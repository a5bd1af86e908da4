"""Install what the scale-out stack needs, cached by pin (stdlib only).

- Debian packages ``postgresql redis-server haproxy``, only when their programs are missing
  (needs root and ``apt-get``). apt would start the services itself; a temporary
  ``/usr/sbin/policy-rc.d`` that exits 101 (made only when none exists, removed after) stops it,
  so the only processes running are the ones the stack starts and stops by PID.
- A venv with the Postgres runtime and its launcher (``langhost``), under
  ``/var/cache/langgraph-client/`` (root) or ``~/.cache/langgraph-client/``, named by the hash of
  its pins and interpreter: a second run on the same machine finds it and skips the install.

``python -m tests.scaleout.install`` prints one progress line per step (the tools' own output
only when a step fails) and exits 0; 3 means "cannot install here", said in one line on stderr.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import hashlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

SERVER_PINS = (
    "langgraph-runtime-pg==0.11.1.post1",
    "langhost==0.11.1.post1",
    # Already a dependency of the server; pinned because the job compares the client with it
    # (LANGGRAPH_SCALEOUT_SDK=1). It never goes into the client's own venv.
    "langgraph-sdk==0.4.14",
)
APT_PACKAGES = ("postgresql", "redis-server", "haproxy")
POLICY_RC_D = Path("/usr/sbin/policy-rc.d")
# The Postgres runtime needs a newer Python than the client does.
MIN_PYTHON = (3, 11)
APT_TIMEOUT = 600.0
PIP_TIMEOUT = 900.0
EXIT_UNAVAILABLE = 3


class Unavailable(RuntimeError):
    """This machine cannot run the stack, and the message says what it needs."""


class InstallError(RuntimeError):
    """An install step failed (the message carries its output)."""


@dataclass(frozen=True)
class Tools:
    """Where the stack's programs are."""

    pg_bin: Path
    """Postgres' own bin folder (``initdb``, ``postgres``, ``createdb``)."""
    redis_server: Path
    haproxy: Path
    venv: Path
    """The venv holding ``langhost`` and ``langgraph-runtime-pg-migrate``."""


def log(message: str) -> None:
    print(f"scaleout: {message}", file=sys.stderr, flush=True)


def _run(
    label: str, cmd: Sequence[str], *, timeout: float, env: dict[str, str] | None = None
) -> None:
    """Run ``cmd`` with its output captured; show it only if it fails."""
    started = time.monotonic()
    log(f"{label} ...")
    try:
        done = subprocess.run(
            list(cmd),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        output = (exc.output or b"").decode(errors="replace")
        raise InstallError(f"{label}: no result after {timeout:.0f} s\n{output[-4000:]}") from None
    if done.returncode != 0:
        output = done.stdout.decode(errors="replace")
        raise InstallError(f"{label} failed (exit {done.returncode}):\n{output[-8000:]}")
    log(f"{label}: done in {time.monotonic() - started:.1f} s")


def find_pg_bin() -> Path | None:
    """The newest installed Postgres server's bin folder (Debian keeps it off PATH)."""
    candidates = sorted(
        (Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/postgres")),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    if candidates:
        return candidates[-1]
    on_path = shutil.which("postgres") or shutil.which("initdb")
    return Path(on_path).resolve().parent if on_path else None


def _missing_programs() -> list[str]:
    missing = []
    if find_pg_bin() is None:
        missing.append("postgresql")
    if shutil.which("redis-server") is None:
        missing.append("redis-server")
    if shutil.which("haproxy") is None:
        missing.append("haproxy")
    return missing


@contextlib.contextmanager
def _services_held_back() -> Iterator[None]:
    """A ``policy-rc.d`` that forbids starting services, only if the machine has none."""
    if POLICY_RC_D.exists():
        yield
        return
    POLICY_RC_D.write_text(
        "#!/bin/sh\n# langgraph-client scale-out install: start no service\nexit 101\n"
    )
    POLICY_RC_D.chmod(0o755)
    try:
        yield
    finally:
        POLICY_RC_D.unlink(missing_ok=True)


def ensure_apt_packages() -> None:
    missing = _missing_programs()
    if not missing:
        log("postgresql, redis-server, haproxy: already installed")
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise Unavailable(
            f"needs {' '.join(missing)}: run as root with apt-get (Debian) to install "
            f"{' '.join(APT_PACKAGES)}, or install them yourself"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    with _services_held_back():
        _run("apt-get update", ["apt-get", "update", "-q"], timeout=APT_TIMEOUT, env=env)
        _run(
            f"apt-get install {' '.join(missing)}",
            ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing],
            timeout=APT_TIMEOUT,
            env=env,
        )
    still = _missing_programs()
    if still:
        raise InstallError(f"apt-get install finished but {' '.join(still)} is still missing")


def find_python() -> str:
    """A Python >= 3.11 for the server venv: this one, or ``python3`` / ``python3.1x`` on PATH."""
    if sys.version_info >= MIN_PYTHON:
        return sys.executable
    for name in ("python3", "python3.13", "python3.12", "python3.11"):
        path = shutil.which(name)
        if path is None:
            continue
        check = subprocess.run(
            [path, "-c", f"import sys; sys.exit(sys.version_info < {MIN_PYTHON!r})"],
            capture_output=True,
            timeout=30,
            check=False,
        )
        if check.returncode == 0:
            return path
    raise Unavailable("needs Python >= 3.11 on PATH for the Agent Server's Postgres runtime")


def cache_root() -> Path:
    """Outside the clone, so a fresh clone on the same machine reuses it."""
    override = os.environ.get("LANGGRAPH_SCALEOUT_CACHE")
    if override:
        return Path(override)
    if os.geteuid() == 0:
        return Path("/var/cache/langgraph-client")
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "langgraph-client"


def _interpreter_tag(python: str) -> str:
    out = subprocess.run(
        [python, "-c", "import sys; print(sys.version.split()[0], sys.platform)"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return out.stdout.strip()


def venv_dir(python: str) -> Path:
    key = "\n".join([*SERVER_PINS, _interpreter_tag(python)])
    return cache_root() / f"scaleout-{hashlib.sha256(key.encode()).hexdigest()[:16]}"


def _venv_ok(venv: Path, stamp: str) -> bool:
    stamp_file = venv / ".scaleout-stamp"
    return (
        stamp_file.is_file()
        and stamp_file.read_text() == stamp
        and (venv / "bin" / "langhost").is_file()
        and (venv / "bin" / "langgraph-runtime-pg-migrate").is_file()
    )


def ensure_venv() -> Path:
    python = find_python()
    venv = venv_dir(python)
    stamp = "\n".join(SERVER_PINS)
    if _venv_ok(venv, stamp):
        log(f"server venv: cached at {venv}")
        return venv
    venv.parent.mkdir(parents=True, exist_ok=True)
    # One installer at a time per venv: a second CI job on the machine waits, then finds it.
    with open(venv.parent / f"{venv.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _venv_ok(venv, stamp):
            log(f"server venv: cached at {venv}")
            return venv
        shutil.rmtree(venv, ignore_errors=True)
        _run(f"create venv {venv}", [python, "-m", "venv", str(venv)], timeout=120)
        _run(
            f"pip install {' '.join(SERVER_PINS)}",
            [
                str(venv / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                *SERVER_PINS,
            ],
            timeout=PIP_TIMEOUT,
        )
        # Written last: a venv without it is half-installed and is made again next time.
        (venv / ".scaleout-stamp").write_text(stamp)
    return venv


def ensure() -> Tools:
    """Install whatever is missing and say where everything is."""
    started = time.monotonic()
    ensure_apt_packages()
    venv = ensure_venv()
    pg_bin = find_pg_bin()
    redis, haproxy = shutil.which("redis-server"), shutil.which("haproxy")
    assert pg_bin is not None and redis is not None and haproxy is not None
    log(f"install: ready in {time.monotonic() - started:.1f} s")
    return Tools(pg_bin=pg_bin, redis_server=Path(redis), haproxy=Path(haproxy), venv=venv)


def main() -> int:
    try:
        ensure()
    except Unavailable as exc:
        if os.environ.get("CI") == "true":
            log(f"FAILED: the scale-out job must run in CI, but {exc}")
        else:
            log(f"skipped (the rest of the suite does not need it): {exc}")
        return EXIT_UNAVAILABLE
    except InstallError as exc:
        log(str(exc))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
