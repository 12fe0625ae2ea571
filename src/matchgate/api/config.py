"""The HTTP shell's own settings: request size and rate limits.

Read once by ``matchgate serve`` from ``MATCHGATE_API_*`` variables (docs/api.md); a test
builds an :class:`ApiConfig` directly. A malformed value is a ``ConfigurationError`` (the
server does not start, exit 4).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields

from matchgate.domain.errors import ConfigurationError


@dataclass(frozen=True)
class ApiConfig:
    """Limits of one server process (each worker keeps its own counts)."""

    max_body_bytes: int = 2 << 20
    """A request body larger than this is refused (413): an agreement document is at most
    1 MiB of text, and JSON escapes make it larger."""
    max_upload_bytes: int = 64 << 20
    """A request file uploaded to ``POST /v1/submissions`` larger than this is refused (413),
    and nothing of it is kept."""
    job_workers: int = 2
    """Submissions one server process matches at once (each in a worker thread of its own);
    the rest wait their turn."""
    token_rate: float = 20.0
    """Requests per second one token may sustain ..."""
    token_burst: int = 60
    """... and how many it may make at once after a quiet spell."""
    source_rate: float = 50.0
    """Requests per second one client address may sustain, with or without a token ..."""
    source_burst: int = 200
    """... and its burst."""

    def __post_init__(self) -> None:
        for field in fields(self):
            if getattr(self, field.name) <= 0:
                raise ConfigurationError(f"MATCHGATE_API_{field.name.upper()} must be positive")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ApiConfig:
        """The limits from ``MATCHGATE_API_MAX_BODY_BYTES``, ``..._TOKEN_RATE``,
        ``..._TOKEN_BURST``, ``..._SOURCE_RATE`` and ``..._SOURCE_BURST`` (defaults above)."""
        env = os.environ if environ is None else environ
        values: dict[str, float | int] = {}
        for field in fields(cls):
            name = f"MATCHGATE_API_{field.name.upper()}"
            raw = env.get(name)
            if raw is None or raw == "":
                continue
            kind = float if field.type in ("float", float) else int
            try:
                values[field.name] = kind(raw)
            except ValueError:
                raise ConfigurationError(f"{name} must be a {kind.__name__}") from None
        return cls(**values)  # type: ignore[arg-type]
