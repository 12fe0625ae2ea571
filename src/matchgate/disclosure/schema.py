"""The JSON Schemas published in docs/package-format.md (a test keeps the two equal)."""

from __future__ import annotations

from typing import Any

from matchgate.disclosure.header import PackageHeader
from matchgate.disclosure.manifest import Manifest


def json_schemas() -> dict[str, dict[str, Any]]:
    """Schema of the version 1 header and manifest, by name."""
    return {
        "header": PackageHeader.model_json_schema(),
        "manifest": Manifest.model_json_schema(),
    }
