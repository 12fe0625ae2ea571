"""The ASGI entry point ``matchgate serve`` hands to uvicorn (one per worker process).

``application()`` reads the settings from the environment (the shell's job: nothing below it
does), builds the App and the API over it, and sets the API's log lines to go to standard error
as they are (one JSON object per line).
"""

from __future__ import annotations

import logging
import sys

from fastapi import FastAPI

from matchgate.api.config import ApiConfig
from matchgate.api.factory import create_api


def _log_lines() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    for name in ("matchgate.api.access", "matchgate.api.error"):
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def application() -> FastAPI:
    """A new App and its API, from this process's environment (``matchgate --workspace DIR
    serve`` hands DIR over as ``MATCHGATE_WORKSPACE``)."""
    from matchgate.app.core import App
    from matchgate.settings import Settings

    settings = Settings.from_env()
    _log_lines()
    return create_api(App(settings), ApiConfig.from_env())
