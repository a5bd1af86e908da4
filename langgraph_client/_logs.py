"""Logging switched on by a function call or an environment variable, at any time.

Log lines name methods, paths, statuses and error messages; never headers, so never the API key.
DEBUG: every response, retry, redirect and reconnect. INFO: every request that finally failed.
"""

from __future__ import annotations

import logging
import os
from typing import TextIO

__all__ = ["ENV_VAR", "enable_debug_logging", "setup_logging"]

ENV_VAR = "LANGGRAPH_CLIENT_LOG"
_LEVELS = {"DEBUG": logging.DEBUG, "INFO": logging.INFO}
_applied_env: str | None = None


def enable_debug_logging(level: str = "debug", *, stream: TextIO | None = None) -> logging.Logger:
    """Log this library's requests, retries, reconnects and failures to stderr (or `stream`).

    Call it whenever you like, e.g. in a notebook after the import; calling it again only changes
    the level. `level` is "debug" (everything) or "info" (final failures only). Returns the
    `langgraph_client` logger, for more configuration of your own.

        import langgraph_client
        langgraph_client.enable_debug_logging()
    """
    wanted = _LEVELS.get(level.strip().upper())
    if wanted is None:
        raise ValueError(f"level must be 'debug' or 'info', got {level!r}")
    logger = logging.getLogger("langgraph_client")
    ours = [h for h in logger.handlers if getattr(h, "_langgraph_client", False)]
    if not ours:
        handler = logging.StreamHandler(stream)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        handler._langgraph_client = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    elif stream is not None:
        for old in ours:
            if isinstance(old, logging.StreamHandler):
                old.setStream(stream)
    logger.setLevel(wanted)
    return logger


def setup_logging() -> None:
    """Apply `LANGGRAPH_CLIENT_LOG=debug` (or `info`): read at import and again each time a
    client is made, so setting it after the import (as in a notebook) still works."""
    global _applied_env
    value = os.environ.get(ENV_VAR, "").strip().upper()
    if value == _applied_env:
        return
    _applied_env = value
    if value in _LEVELS:
        enable_debug_logging(value)
