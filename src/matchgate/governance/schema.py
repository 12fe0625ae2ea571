"""The agreement's JSON Schema, as published in ``docs/agreement.schema.json``.

Regenerate the published file with
``python -m matchgate.governance.schema > docs/agreement.schema.json``; a test fails when the
two differ.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from matchgate.governance.agreement import Agreement

SCHEMA_ID = "https://matchgate.example/schemas/agreement.schema.json"


def agreement_json_schema() -> dict[str, Any]:
    """The JSON Schema agreements are validated against (cross-field rules are in the docs)."""
    schema = Agreement.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
    }


def schema_text() -> str:
    """The published file's exact text."""
    return json.dumps(agreement_json_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(schema_text())
