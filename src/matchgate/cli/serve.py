"""``matchgate serve``: the HTTP API (``matchgate.api``) on uvicorn.

Before it listens, it checks what every governed command needs: both stores reachable at this
version's schema, and the audit log usable (``services.administration.database.check_ready``);
otherwise it stops with exit 4 and says which. Each worker process builds its own App from the
same settings (``matchgate.api.asgi``); the request limits come from ``MATCHGATE_API_*``
(docs/api.md). uvicorn's own access log is off: the API writes one JSON line per request,
without the path's values or the query.
"""

from __future__ import annotations

from typing import Annotated

import typer

from matchgate.cli.shell import Runner, api_limits, current_app, export_workspace, say
from matchgate.domain.errors import ConfigurationError


def register(app: typer.Typer, run: Runner) -> None:
    """Add ``serve`` to ``app``."""

    @app.command("serve")
    def serve(
        host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
        workers: Annotated[
            int, typer.Option(help="Worker processes (each keeps its own rate counts).", min=1)
        ] = 1,
    ) -> None:
        """Serve the HTTP API (/v1/..., /openapi.json) until interrupted."""
        import uvicorn

        from matchgate.services.administration.database import check_ready

        def work() -> None:
            current = current_app()
            api_limits()  # a malformed limit stops it here (exit 4)
            state = check_ready(current)
            if not state.ready:
                raise ConfigurationError("not serving: " + "; ".join(state.problems))
            export_workspace()
            say(f"serving the API on http://{host}:{port} ({workers} worker(s))")
            uvicorn.run(
                "matchgate.api.asgi:application",
                factory=True,
                host=host,
                port=port,
                workers=workers,
                access_log=False,
                log_level="info",
            )

        run(work)
