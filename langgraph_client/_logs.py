"""Debug logging switched on by an environment variable, for users who cannot edit the code."""

from __future__ import annotations

import logging
import os

__all__ = ["setup_logging"]

ENV_VAR = "LANGGRAPH_CLIENT_LOG"


def setup_logging() -> None:
    """`LANGGRAPH_CLIENT_LOG=debug` (or `info`) logs requests, retries and reconnects to stderr.

    Log lines name methods, paths and statuses; never headers, so never the API key.
    """
    level = os.environ.get(ENV_VAR, "").strip().upper()
    if level not in ("DEBUG", "INFO"):
        return
    logger = logging.getLogger("langgraph_client")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(getattr(logging, level))
