"""The published JSON Schema is the model's own, and says what the validator enforces."""

from __future__ import annotations

import json
from pathlib import Path

import matchgate.governance as governance
from matchgate.governance import Category, RequestField
from matchgate.governance.schema import agreement_json_schema, schema_text

PUBLISHED = Path(__file__).parents[2] / "docs" / "agreement.schema.json"


def test_published_schema_equals_a_fresh_export() -> None:
    assert PUBLISHED.read_text(encoding="utf-8") == schema_text(), (
        "docs/agreement.schema.json is stale: regenerate it with "
        "`python -m matchgate.governance.schema > docs/agreement.schema.json`"
    )


def test_schema_lists_every_field_and_vocabulary() -> None:
    schema = agreement_json_schema()
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == set(governance.Agreement.model_fields)
    defs = schema["$defs"]
    assert defs["Category"]["enum"] == [c.value for c in Category]
    assert defs["RequestField"]["enum"] == [f.value for f in RequestField]
    assert all(d.get("additionalProperties") is False for d in defs.values() if "properties" in d)
    categories = schema["properties"]["allowed_response_categories"]
    assert (categories["uniqueItems"], categories["minItems"]) == (True, 1)
    program = defs["MatchingProgram"]["properties"]
    assert program["initial_term_months"]["maximum"] == 18
    assert defs["Renewal"]["properties"]["months"]["maximum"] == 12
    assert json.loads(schema_text()) == schema


def test_public_namespace_is_complete() -> None:
    public = {
        name
        for name in dir(governance)
        if not name.startswith("_")
        and name not in {"annotations"}
        and not isinstance(getattr(governance, name), type(governance))
    }
    assert set(governance.__all__) == public


def test_docs_list_every_code() -> None:
    docs = (PUBLISHED.parent / "agreements.md").read_text(encoding="utf-8")
    for code in [*governance.AgreementCode, *governance.RefusalCode]:
        assert f"`{code.value}`" in docs, code
    assert set(governance.AGREEMENT_MEANINGS) == set(governance.AgreementCode)
    assert set(governance.REFUSAL_MEANINGS) == set(governance.RefusalCode)
