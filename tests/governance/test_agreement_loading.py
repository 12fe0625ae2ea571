"""Reading agreement YAML: the examples load; every failure is one line with a path and a code."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from tests.governance.documents import (
    DELETE,
    REFERENCE,
    SAVE,
    document,
    edit,
    parse,
    rejection,
)

from matchgate.domain.errors import InputError
from matchgate.governance import (
    AgreementCode,
    Category,
    RequestField,
    parse_agreement,
    read_agreement_file,
)


def test_reference_arrangement_reads_as_the_contract_describes_it() -> None:
    source = read_agreement_file(REFERENCE)
    a = source.agreement
    assert (a.id, a.version) == ("reference-2025-08", 1)
    assert set(a.allowed_request_fields) == set(RequestField)
    assert set(a.allowed_response_categories) == {
        Category.IDENTITY,
        Category.ALIASES,
        Category.ADDRESS,
        Category.PLACE_OF_BIRTH,
        Category.BANKING,
        Category.PHONES,
        Category.EMAILS,
        Category.RELATIVES,
        Category.IP_ADDRESSES,
    }
    assert (a.max_records_per_file, a.max_files_per_month) == (50_000, 1)
    assert a.fee.amount == Decimal(0)
    assert a.legal_authorities == ("42 U.S.C. 1306(a)", "8 U.S.C. 1360(b)")
    assert a.protective_marking == "CUI//SP-PRVCY"
    assert a.computer_matching.exemption is not None
    assert a.computer_matching.matching_program is None
    assert source.sha256 == hashlib.sha256(REFERENCE.read_bytes()).hexdigest()
    assert source.text.encode() == REFERENCE.read_bytes()


def test_save_style_agreement_is_a_matching_program() -> None:
    a = read_agreement_file(SAVE).agreement
    program = a.computer_matching.matching_program
    assert program is not None
    assert program.initial_term_months == 18
    assert program.end == date(2027, 7, 5)
    assert a.allowed_response_categories == (Category.CITIZENSHIP,)
    assert set(a.allowed_request_fields) == {"first_name", "middle_name", "last_name", "ssn", "dob"}
    assert {c.value for c in a.channels} == {"single", "file"}


def test_agreement_is_frozen() -> None:
    a = parse(document())
    with pytest.raises(ValueError, match="frozen"):
        a.version = 2


@pytest.mark.parametrize(
    ("path", "value", "code", "field"),
    [
        ("routine_uses[1].effective", "2025-02-30", "FIELD_FORMAT", None),
        ("routine_uses[1].effective", DELETE, "FIELD_MISSING", None),
        ("title", DELETE, "FIELD_MISSING", None),
        ("title", "   ", "VALUE_BLANK", None),
        ("version", "2", "FIELD_TYPE", None),
        ("version", 0, "VALUE_RANGE", None),
        ("version", True, "FIELD_TYPE", None),
        ("id", "Reference 2025", "FIELD_FORMAT", None),
        ("allowed_request_fields[0]", "request_id", "VALUE_NOT_PERMITTED", None),
        ("allowed_response_categories[2]", "credit", "VALUE_NOT_PERMITTED", None),
        ("allowed_response_categories[3]", "identity", "DUPLICATE", None),
        ("legal_authorities", [], "VALUE_RANGE", None),
        ("legal_authorities", "42 U.S.C. 1306(a)", "FIELD_TYPE", None),
        ("parties.recipient.code", "dhs", "FIELD_FORMAT", None),
        ("parties.recipient.code", "SSA", "PARTIES_SAME", None),
        ("fee.amount", "0.001", "VALUE_RANGE", None),
        ("fee.amount", -1, "VALUE_RANGE", None),
        ("fee.currency", "usd", "FIELD_FORMAT", None),
        ("max_records_per_file", 0, "VALUE_RANGE", None),
        ("protective_marking", "SECRET", "FIELD_FORMAT", None),
        ("protective_marking", "CUI/SP-PRVCY", "FIELD_FORMAT", None),
        ("retention.purge[0]", "accounting_of_disclosures", "VALUE_NOT_PERMITTED", None),
        ("expires", "2025-08-01", "DATE_ORDER", None),
        ("expires", "2025-07-01", "DATE_ORDER", None),
        ("routine_uses[0].rescinded", "2019-03-01", "DATE_ORDER", None),
        ("routine_uses[1].id", "RU-SYN-17", "DUPLICATE", None),
        (
            "routine_uses[1].recipients",
            ["DHS", "DHS"],
            "DUPLICATE",
            "routine_uses[1].recipients[1]",
        ),
        ("allowed_request_fields", ["ssn", "dob"], "NO_NAME_FIELD", None),
        ("computer_matching", {}, "CMPPA_CHOICE", None),
    ],
)
def test_each_problem_names_its_field_and_code(
    path: str, value: object, code: str, field: str | None
) -> None:
    """``field`` is where the error points when that is not the edited ``path`` itself."""
    field = field or path
    error = rejection(edit(document(), path, value))
    assert error.field == field
    assert error.code == AgreementCode[code]
    assert error.path == "test.yaml"
    assert "\n" not in str(error)
    assert f"field {field!r}" in str(error)
    assert f"[{AgreementCode[code].value}]" in str(error)


def test_unknown_field_is_named() -> None:
    error = rejection({**document(), "onward_use": []})
    assert (error.field, error.code) == ("onward_use", AgreementCode.FIELD_UNKNOWN)


def test_several_problems_are_counted_on_one_line() -> None:
    doc = edit(edit(document(), "title", DELETE), "fee.currency", "dollars")
    error = rejection(doc)
    assert error.field == "title"
    assert "and 1 more: fee.currency" in str(error)
    assert "\n" not in str(error)


def test_category_never_covered_in_the_term_is_an_error() -> None:
    doc = edit(document(), "allowed_response_categories", ["identity", "earnings"])
    error = rejection(doc)
    assert error.code == AgreementCode.CATEGORY_UNCOVERED
    assert error.field == "allowed_response_categories[1]"


def test_coverage_by_a_routine_use_for_another_recipient_does_not_count() -> None:
    doc = edit(document(), "routine_uses[1].recipients", ["DOJ"])
    doc = edit(doc, "routine_uses[0].rescinded", DELETE)
    assert rejection(doc).field == "allowed_response_categories[1]"  # aliases: only RU-SYN-31


def test_values_are_not_echoed() -> None:
    secret = "078-05-1120 JANE Q PUBLIC"
    for path in ("version", "fee.currency", "parties.recipient.code", "effective"):
        error = rejection(edit(document(), path, secret))
        assert "078-05" not in str(error), path
        assert "JANE" not in str(error), path


def test_yaml_syntax_error_gives_line_and_column() -> None:
    text = REFERENCE.read_text().replace("max_files_per_month: 1", "max_files_per_month: [1")
    with pytest.raises(InputError) as caught:
        parse_agreement(text, source="bad.yaml")
    assert caught.value.code == AgreementCode.YAML_SYNTAX
    assert "line " in str(caught.value)
    assert "\n" not in str(caught.value)


def test_duplicate_key_is_refused() -> None:
    text = REFERENCE.read_text() + "expires: 2030-01-01\n"
    with pytest.raises(InputError) as caught:
        parse_agreement(text, source="dup.yaml")
    assert caught.value.code == AgreementCode.YAML_DUPLICATE_KEY
    assert "'expires'" in str(caught.value)
    assert f"line {text.count(chr(10))}," in str(caught.value)


def test_anchors_and_aliases_are_refused() -> None:
    text = (
        REFERENCE.read_text().replace(
            "allowed_response_categories:\n", "allowed_response_categories: &cats\n", 1
        )
        + "x: *cats\n"
    )
    with pytest.raises(InputError) as caught:
        parse_agreement(text, source="alias.yaml")
    assert caught.value.code == AgreementCode.YAML_ALIAS


def test_yes_and_no_stay_text() -> None:
    # YAML 1.1 reads an unquoted NO as false; in an agreement it is the text it looks like.
    text = REFERENCE.read_text().replace("code: DHS", "code: NO").replace("[DHS]", "[NO]")
    assert "code: NO\n" in text
    assert parse_agreement(text, source="no.yaml").parties.recipient.code == "NO"


def test_quoted_and_unquoted_dates_read_alike() -> None:
    text = REFERENCE.read_text()
    quoted = text.replace("effective: 2025-08-01", "effective: '2025-08-01'")
    assert quoted != text
    assert parse_agreement(quoted, source="q") == parse_agreement(text, source="u")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("- just\n- a list\n", AgreementCode.NOT_A_MAPPING),
        ("", AgreementCode.NOT_A_MAPPING),
        ("1: one\n", AgreementCode.YAML_TYPE),
        ("data: !!binary aGVsbG8=\n", AgreementCode.YAML_TYPE),
        ("\t- bad\n", AgreementCode.YAML_SYNTAX),
        ("a: 1\n---\nb: 2\n", AgreementCode.YAML_SYNTAX),
        ("a: " + "[" * 100_000 + "]" * 100_000 + "\n", AgreementCode.YAML_SYNTAX),
        ("<<: {id: x}\n", AgreementCode.YAML_ALIAS),
    ],
)
def test_documents_that_are_not_agreements(text: str, code: AgreementCode) -> None:
    with pytest.raises(InputError) as caught:
        parse_agreement(text, source="x.yaml")
    assert caught.value.code == code


def test_file_problems(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_agreement_file(tmp_path / "absent.yaml")
    assert caught.value.code == AgreementCode.FILE_MISSING
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes(REFERENCE.read_bytes() + "title: caf\u00e9\n".encode("latin-1"))
    with pytest.raises(InputError) as caught:
        read_agreement_file(latin1)
    assert caught.value.code == AgreementCode.FILE_ENCODING
    huge = tmp_path / "huge.yaml"
    huge.write_bytes(b"#" * (1 << 20) + b"\n")
    with pytest.raises(InputError) as caught:
        read_agreement_file(huge)
    assert caught.value.code == AgreementCode.FILE_TOO_LARGE


def test_round_trip_through_json_is_identity() -> None:
    for path in (REFERENCE, SAVE):
        a = read_agreement_file(path).agreement
        assert type(a).model_validate_json(a.model_dump_json()) == a
