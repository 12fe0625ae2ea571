"""Settings, declared once. Each can be set by an environment variable ``MATCHGATE_<NAME>``."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from matchgate.domain.errors import ConfigurationError


@dataclass(frozen=True)
class Settings:
    """Runtime settings; defaults run everything embedded on one laptop."""

    workspace: Path = field(
        default=Path("workspace"),
        metadata={"doc": "folder for the DuckDB file, the SQLite store and outputs"},
    )
    database_url: str = field(
        default="",
        metadata={"doc": "operational store URL; empty means SQLite in the workspace"},
    )
    duckdb_memory_limit: str = field(
        default="4GB", metadata={"doc": "DuckDB memory_limit; beyond it DuckDB spills to disk"}
    )
    duckdb_threads: int = field(default=0, metadata={"doc": "DuckDB threads; 0 means all cores"})
    timezone: str = field(
        default="America/New_York", metadata={"doc": "the agency's time zone for calendar dates"}
    )
    audit_url: str = field(
        default="", metadata={"doc": "audit store URL; empty means the operational store"}
    )
    audit_checkpoint_dir: str = field(
        default="",
        metadata={
            "doc": "where signed checkpoints are exported; empty means workspace/audit-checkpoints"
            " (in production: storage the database administrators cannot rewrite)"
        },
    )
    audit_witness_dir: str = field(
        default="",
        metadata={
            "doc": "where each recipient agency's witnessed checkpoints are left for it to fetch;"
            " empty means workspace/witness"
        },
    )
    audit_subject_key_file: str = field(
        default="",
        metadata={"doc": "HMAC key for person identifiers; empty means workspace/keys/"},
    )
    audit_signing_key_file: str = field(
        default="",
        metadata={"doc": "checkpoint signing key (P-256, .pub beside it); empty: workspace/keys/"},
    )
    audit_checkpoint_every: int = field(
        default=0, metadata={"doc": "sign a checkpoint every N entries; 0 means 256"}
    )
    engine: str = field(
        default="duckdb",
        metadata={"doc": "engine that indexes and matches the master: duckdb or spark"},
    )
    spark_master: str = field(
        default="local[2]",
        metadata={"doc": "Spark master URL for engine=spark (spark-submit's --master wins)"},
    )
    spark_driver_memory: str = field(
        default="2g", metadata={"doc": "Spark driver memory for engine=spark in local mode"}
    )
    spark_shuffle_partitions: int = field(
        default=8, metadata={"doc": "spark.sql.shuffle.partitions for engine=spark"}
    )
    token: str = field(
        default="",
        repr=False,
        metadata={"doc": "the caller's API token (never put it on a command line or in a URL)"},
    )
    token_file: str = field(
        default="",
        metadata={"doc": "a file holding the caller's API token (read when token is empty)"},
    )
    host_key_password: str = field(
        default="",
        repr=False,
        metadata={"doc": "password of the host's signing key, when `host init` protected it"},
    )
    data_key_file: str = field(
        default="",
        metadata={"doc": "key ring for encryption at rest; empty: workspace/keys/data-keys.json"},
    )
    match_file_em: bool = field(
        default=True,
        metadata={
            "doc": "re-estimate the model's m on each request file of 1,000 rows or more, "
            "within bounds (docs/matching.md); false: the model as shipped"
        },
    )

    @property
    def zone(self) -> ZoneInfo:
        """The agency's time zone; an unknown name is a ConfigurationError."""
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigurationError(f"unknown time zone {self.timezone!r}") from None

    def today(self) -> dt.date:
        """Today's calendar date in the agency's time zone."""
        return dt.datetime.now(self.zone).date()

    def caller_token(self) -> str | None:
        """The API token of whoever runs this process: ``token``, else ``token_file``'s text."""
        if self.token:
            return self.token.strip()
        if self.token_file:
            try:
                return Path(self.token_file).read_text(encoding="ascii").strip()
            except (OSError, UnicodeDecodeError) as exc:
                reason = getattr(exc, "strerror", None) or type(exc).__name__
                raise ConfigurationError(
                    f"MATCHGATE_TOKEN_FILE cannot be read ({reason})"
                ) from None
        return None

    @property
    def sqlite_url(self) -> str:
        return self.database_url or f"sqlite:///{self.workspace / 'matchgate.sqlite'}"

    @property
    def duckdb_path(self) -> Path:
        return self.workspace / "matchgate.duckdb"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        env = dict(os.environ if environ is None else environ)
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(f"MATCHGATE_{f.name.upper()}")
            if raw is None:
                continue
            try:
                values[f.name] = _convert(f.type, raw)
            except ValueError as exc:
                name = f"MATCHGATE_{f.name.upper()}"
                raise ConfigurationError(f"{name} is not valid: {exc}") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]


def _convert(kind: object, raw: str) -> object:
    if kind in (bool, "bool"):
        if raw.strip().lower() in ("1", "true", "yes", "on"):
            return True
        if raw.strip().lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError("expected true or false")
    if kind in (int, "int"):
        return int(raw)
    if kind in (Path, "Path"):
        return Path(raw)
    return raw
