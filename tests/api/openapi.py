"""Requests made from the OpenAPI document: every operation, with a body that fits its schema."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    spec: dict[str, Any]

    @property
    def public(self) -> bool:
        """Whether the document lists no security requirement (health only)."""
        return not self.spec.get("security")

    @property
    def path_params(self) -> list[str]:
        return [p["name"] for p in self.spec.get("parameters", []) if p["in"] == "path"]


def operations(document: dict[str, Any]) -> list[Operation]:
    return [
        Operation(method, path, spec)
        for path, item in sorted(document["paths"].items())
        for method, spec in item.items()
        if method in METHODS
    ]


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        target: Any = document
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        schema = target
    return schema


def example(document: dict[str, Any], schema: dict[str, Any]) -> Any:
    """A small value that fits ``schema``: required fields only, the first of any choice."""
    schema = _resolve(document, schema)
    for choice in ("anyOf", "oneOf"):
        if choice in schema:
            kinds = [s for s in schema[choice] if s.get("type") != "null"]
            return example(document, kinds[0])
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {
            name: example(document, schema["properties"][name])
            for name in schema.get("required", [])
        }
    if kind == "array":
        return [example(document, schema["items"])] * schema.get("minItems", 0)
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return False
    return "x" * max(schema.get("minLength", 1), 1)


def body_for(document: dict[str, Any], op: Operation) -> Any:
    """A body fitting the operation's request schema, or None when it takes none."""
    content = op.spec.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return None
    return example(document, content["application/json"]["schema"])
