"""Read an agreement from YAML text: strict parsing, then validation, then one clear error.

The YAML dialect is deliberately narrow, because an agreement is a legal text and a value read
differently than it was written is a silent change of terms:

* a key given twice is an error (PyYAML would keep the last one);
* anchors, aliases and merge keys are errors (each value is written where it applies);
* only ``true``/``false`` are booleans (``yes``, ``no``, ``on``, ``off`` stay text);
* dates stay text until the schema reads them, so a bad date is reported with its field path.

The mapping is then validated as JSON would be (strict: no coercion), so the rules are exactly
those of the published JSON Schema plus the cross-field rules of :mod:`.agreement`.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from matchgate.domain.errors import InputError
from matchgate.governance.agreement import Agreement
from matchgate.governance.codes import AgreementCode

MAX_BYTES = 1 << 20
"""An agreement is a few kilobytes; anything over 1 MiB is not one."""

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_BOOL = "tag:yaml.org,2002:bool"
_MERGE = "tag:yaml.org,2002:merge"


class _AgreementLoader(yaml.SafeLoader):
    """SafeLoader without timestamps, YAML 1.1 booleans, aliases or duplicate keys."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise _Refused(AgreementCode.YAML_ALIAS, "anchors and aliases are not allowed", event)
        return super().compose_node(parent, index)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            if key_node.tag == _MERGE:
                raise _Refused(
                    AgreementCode.YAML_ALIAS, "merge keys (<<) are not allowed", key_node
                )
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise _Refused(AgreementCode.YAML_TYPE, "mapping keys must be text", key_node)
            if key in seen:
                raise _Refused(
                    AgreementCode.YAML_DUPLICATE_KEY, f"key {key!r} is given twice", key_node
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_AgreementLoader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag not in (_TIMESTAMP, _BOOL)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_AgreementLoader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class _Refused(Exception):
    """A construct the agreement dialect refuses, with where it was."""

    def __init__(self, code: AgreementCode, message: str, at: yaml.Node | yaml.Event) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        mark = at.start_mark
        self.where = "" if mark is None else f" (line {mark.line + 1}, column {mark.column + 1})"


@dataclass(frozen=True)
class AgreementSource:
    """An agreement with the exact text it was read from and that text's SHA-256."""

    agreement: Agreement
    text: str
    sha256: str


def read_agreement_file(path: Path) -> AgreementSource:
    """Read and validate an agreement file; raise :class:`InputError` when it cannot be used."""
    where = str(path)
    if not path.is_file():
        raise InputError("no such file", path=where, code=AgreementCode.FILE_MISSING)
    if path.stat().st_size > MAX_BYTES:
        raise InputError(
            "the file is larger than 1 MiB", path=where, code=AgreementCode.FILE_TOO_LARGE
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"not UTF-8 text (line {line})", path=where, code=AgreementCode.FILE_ENCODING
        ) from None
    return AgreementSource(parse_agreement(text, source=where), text, sha256_text(text))


def sha256_text(text: str) -> str:
    """SHA-256 of the UTF-8 bytes of ``text`` (equal to the file's hash when read from one)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_agreement(text: str, *, source: str) -> Agreement:
    """Validate agreement YAML; ``source`` names it in errors (a path, or an id and version)."""
    try:
        return _parse(text, source)
    except RecursionError:
        raise InputError(
            "the document is nested too deeply", path=source, code=AgreementCode.YAML_SYNTAX
        ) from None


def _parse(text: str, source: str) -> Agreement:
    document = _load_yaml(text, source)
    if not isinstance(document, dict):
        raise InputError(
            "the document must be a mapping of field names to values",
            path=source,
            code=AgreementCode.NOT_A_MAPPING,
        )
    try:
        as_json = json.dumps(document, allow_nan=True, default=_refuse_type)
    except _UnsupportedValue as exc:
        raise InputError(
            f"a value of YAML type {exc.kind} cannot appear in an agreement",
            path=source,
            code=AgreementCode.YAML_TYPE,
        ) from None
    try:
        return Agreement.model_validate_json(as_json)
    except ValidationError as exc:
        raise validation_input_error(exc, source) from None


def _load_yaml(text: str, source: str) -> object:
    try:
        return yaml.load(text, Loader=_AgreementLoader)  # noqa: S506 - a SafeLoader subclass
    except _Refused as exc:
        raise InputError(
            f"{exc.message}{exc.where}",
            path=source,
            code=exc.code,
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        raise InputError(
            f"YAML syntax error: {exc.problem or 'not well-formed'}{at}",
            path=source,
            code=AgreementCode.YAML_SYNTAX,
        ) from None
    except yaml.YAMLError:
        raise InputError("YAML syntax error", path=source, code=AgreementCode.YAML_SYNTAX) from None


class _UnsupportedValue(TypeError):
    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def _refuse_type(value: object) -> object:
    raise _UnsupportedValue(type(value).__name__)


def validation_input_error(exc: ValidationError, source: str) -> InputError:
    """One line for a failed validation: the first problem's path, message and code, then how
    many more there are and where, but never the offending values."""
    errors = exc.errors(include_url=False, include_input=False)
    paths = [error_path(error) for error in errors]
    first = errors[0]
    message = first["msg"]
    if len(errors) > 1:
        others = ", ".join(paths[1:4]) + (", ..." if len(errors) > 4 else "")
        message += f" (and {len(errors) - 1} more: {others})"
    return InputError(message, path=source, field=paths[0] or None, code=error_code(first))


def error_path(error: ErrorDetails) -> str:
    """``('routine_uses', 1, 'effective')`` -> ``routine_uses[1].effective``."""
    path = ""
    for part in error["loc"]:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    at = (error.get("ctx") or {}).get("at")
    if at:
        path += at if at.startswith("[") or not path else f".{at}"
    return path


_OUR_CODES = frozenset(code.value for code in AgreementCode)

_RANGE_TYPES = frozenset(
    {
        "too_short",
        "too_long",
        "string_too_short",
        "string_too_long",
        "greater_than",
        "greater_than_equal",
        "less_than",
        "less_than_equal",
        "decimal_max_places",
        "decimal_max_digits",
        "decimal_whole_digits",
        "finite_number",
        "multiple_of",
    }
)


def error_code(error: ErrorDetails) -> AgreementCode:
    """The stable code for a pydantic error type (ours are already codes)."""
    kind = error["type"]
    if kind in _OUR_CODES:
        return AgreementCode(kind)
    if kind == "missing":
        return AgreementCode.FIELD_MISSING
    if kind == "extra_forbidden":
        return AgreementCode.FIELD_UNKNOWN
    if kind in ("enum", "literal_error"):
        return AgreementCode.VALUE_NOT_PERMITTED
    if kind in _RANGE_TYPES:
        return AgreementCode.VALUE_RANGE
    if kind == "string_pattern_mismatch" or kind.endswith("_parsing"):
        return AgreementCode.FIELD_FORMAT
    if kind.endswith("_type") or kind.startswith("int_"):
        return AgreementCode.FIELD_TYPE
    return AgreementCode.INVALID
