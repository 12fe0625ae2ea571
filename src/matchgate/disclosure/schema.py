"""The JSON Schemas published in docs/package-format.md (a test keeps the two equal)."""

from __future__ import annotations

from typing import Any

from matchgate.disclosure.header import PackageHeader
from matchgate.disclosure.manifest import Manifest


def json_schemas() -> dict[str, dict[str, Any]]:
    """Schema of the version 1 header and manifest, by name."""
    return {
        "header": _published("header", PackageHeader.model_json_schema()),
        "manifest": _published("manifest", Manifest.model_json_schema()),
    }


def _published(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:matchgate:package-format:1:{name}",
        **schema,
    }
