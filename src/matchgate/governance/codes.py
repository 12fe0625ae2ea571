"""Stable codes for agreement problems (``E_AGREEMENT_*``) and disclosure refusals (``R_*``).

Error codes travel on :class:`~matchgate.domain.errors.InputError`; refusal codes travel on
:class:`~matchgate.governance.policy.Refusal` into validation reports and response packages.
Codes are added, never renamed or reused.
"""

from __future__ import annotations

from enum import StrEnum


class AgreementCode(StrEnum):
    """Why an agreement file could not be read, validated or stored."""

    FILE_MISSING = "E_AGREEMENT_FILE_MISSING"
    FILE_TOO_LARGE = "E_AGREEMENT_FILE_TOO_LARGE"
    FILE_ENCODING = "E_AGREEMENT_FILE_ENCODING"
    YAML_SYNTAX = "E_AGREEMENT_YAML_SYNTAX"
    YAML_DUPLICATE_KEY = "E_AGREEMENT_YAML_DUPLICATE_KEY"
    YAML_ALIAS = "E_AGREEMENT_YAML_ALIAS"
    YAML_TYPE = "E_AGREEMENT_YAML_TYPE"
    NOT_A_MAPPING = "E_AGREEMENT_NOT_A_MAPPING"
    FIELD_MISSING = "E_AGREEMENT_FIELD_MISSING"
    FIELD_UNKNOWN = "E_AGREEMENT_FIELD_UNKNOWN"
    FIELD_TYPE = "E_AGREEMENT_FIELD_TYPE"
    FIELD_FORMAT = "E_AGREEMENT_FIELD_FORMAT"
    VALUE_NOT_PERMITTED = "E_AGREEMENT_VALUE_NOT_PERMITTED"
    VALUE_RANGE = "E_AGREEMENT_VALUE_RANGE"
    VALUE_BLANK = "E_AGREEMENT_VALUE_BLANK"
    DUPLICATE = "E_AGREEMENT_DUPLICATE"
    DATE_ORDER = "E_AGREEMENT_DATE_ORDER"
    PARTIES_SAME = "E_AGREEMENT_PARTIES_SAME"
    NO_NAME_FIELD = "E_AGREEMENT_NO_NAME_FIELD"
    CATEGORY_UNCOVERED = "E_AGREEMENT_CATEGORY_UNCOVERED"
    CMPPA_CHOICE = "E_AGREEMENT_CMPPA_CHOICE"
    CMPPA_WAITING_PERIOD = "E_AGREEMENT_CMPPA_WAITING_PERIOD"
    CMPPA_RENEWAL_WINDOW = "E_AGREEMENT_CMPPA_RENEWAL_WINDOW"
    OUTSIDE_MATCHING_TERM = "E_AGREEMENT_OUTSIDE_MATCHING_TERM"
    INVALID = "E_AGREEMENT_INVALID"
    VERSION_NOT_INCREASING = "E_AGREEMENT_VERSION_NOT_INCREASING"
    VERSION_CONFLICT = "E_AGREEMENT_VERSION_CONFLICT"
    PARTIES_CHANGED = "E_AGREEMENT_PARTIES_CHANGED"
    NOT_FOUND = "E_AGREEMENT_NOT_FOUND"


AGREEMENT_MEANINGS: dict[AgreementCode, str] = {
    AgreementCode.FILE_MISSING: "the agreement file does not exist or is not a regular file",
    AgreementCode.FILE_TOO_LARGE: "the agreement file is larger than 1 MiB",
    AgreementCode.FILE_ENCODING: "the agreement file is not valid UTF-8 text",
    AgreementCode.YAML_SYNTAX: "the file is not well-formed YAML; the message gives line, column",
    AgreementCode.YAML_DUPLICATE_KEY: "a mapping names the same key twice",
    AgreementCode.YAML_ALIAS: "the file uses a YAML anchor, alias or merge key; write values out",
    AgreementCode.YAML_TYPE: "a YAML value has a type an agreement cannot hold (binary, set, ...)",
    AgreementCode.NOT_A_MAPPING: "the document is not a YAML mapping of field names to values",
    AgreementCode.FIELD_MISSING: "a required field is absent",
    AgreementCode.FIELD_UNKNOWN: "a field the schema does not define (check its spelling)",
    AgreementCode.FIELD_TYPE: "a value has the wrong type (text, whole number, list, mapping...)",
    AgreementCode.FIELD_FORMAT: "a value does not have the required form (date, slug, marking...)",
    AgreementCode.VALUE_NOT_PERMITTED: "a value is not one of those the schema lists",
    AgreementCode.VALUE_RANGE: "a number, text or list is too small or too large",
    AgreementCode.VALUE_BLANK: "a text value is empty or only spaces",
    AgreementCode.DUPLICATE: "a list names the same item twice",
    AgreementCode.DATE_ORDER: "two dates are in the wrong order (e.g. expires not after effective)",
    AgreementCode.PARTIES_SAME: "the disclosing and recipient agencies have the same code",
    AgreementCode.NO_NAME_FIELD: "allowed_request_fields has neither first_name nor last_name",
    AgreementCode.CATEGORY_UNCOVERED: (
        "an allowed response category is covered by no routine use (for this recipient and "
        "purpose) on any day of the agreement's term"
    ),
    AgreementCode.CMPPA_CHOICE: (
        "computer_matching must give exactly one of matching_program and exemption"
    ),
    AgreementCode.CMPPA_WAITING_PERIOD: (
        "a matching program starts less than 30 days after the agreement went to Congress and OMB"
    ),
    AgreementCode.CMPPA_RENEWAL_WINDOW: (
        "a renewal was approved outside the 3 months before the initial term ends"
    ),
    AgreementCode.OUTSIDE_MATCHING_TERM: (
        "the agreement is in force on days outside the matching program's term"
    ),
    AgreementCode.INVALID: "the agreement is invalid for a reason the message gives",
    AgreementCode.VERSION_NOT_INCREASING: (
        "a stored version of this agreement is at least as high as the one being added"
    ),
    AgreementCode.VERSION_CONFLICT: (
        "this version of the agreement is already stored with different content"
    ),
    AgreementCode.PARTIES_CHANGED: (
        "a new version names different agencies than the stored versions; use a new id"
    ),
    AgreementCode.NOT_FOUND: "no agreement (or no such version) is stored under that id",
}


class RefusalCode(StrEnum):
    """Why a record category may not be disclosed, or a file may not be processed, on a day."""

    AGREEMENT_NOT_YET_EFFECTIVE = "R_AGREEMENT_NOT_YET_EFFECTIVE"
    AGREEMENT_EXPIRED = "R_AGREEMENT_EXPIRED"
    PURPOSE_NOT_AGREED = "R_PURPOSE_NOT_AGREED"
    CATEGORY_UNKNOWN = "R_CATEGORY_UNKNOWN"
    CATEGORY_NOT_AGREED = "R_CATEGORY_NOT_AGREED"
    NO_ROUTINE_USE = "R_NO_ROUTINE_USE_IN_FORCE"
    VOLUME_EXCEEDED = "R_VOLUME_EXCEEDED"
    ONWARD_USE_PENDING = "R_ONWARD_USE_PENDING"
    ONWARD_USE_DENIED = "R_ONWARD_USE_DENIED"


REFUSAL_MEANINGS: dict[RefusalCode, str] = {
    RefusalCode.AGREEMENT_NOT_YET_EFFECTIVE: "the agreement's effective date is after that day",
    RefusalCode.AGREEMENT_EXPIRED: "the agreement expired on or before that day",
    RefusalCode.PURPOSE_NOT_AGREED: "the disclosure is for a purpose other than the agreement's",
    RefusalCode.CATEGORY_UNKNOWN: "the record category is not one matchgate knows",
    RefusalCode.CATEGORY_NOT_AGREED: "the agreement does not list the category for disclosure",
    RefusalCode.NO_ROUTINE_USE: (
        "no routine use in force that day covers the category for this recipient and purpose"
    ),
    RefusalCode.VOLUME_EXCEEDED: (
        "the file exceeds the records-per-file or files-per-month cap; held for consultation"
    ),
    RefusalCode.ONWARD_USE_PENDING: (
        "a notice of this new use or disclosure is filed; the disclosing agency has not decided"
    ),
    RefusalCode.ONWARD_USE_DENIED: (
        "the disclosing agency denied the onward-use notice for this purpose"
    ),
}
