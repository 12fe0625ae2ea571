"""Governance: agreements, routine uses in force, request-field allow-lists and volume caps.

Everything here is pure (reading an agreement file aside): no database, no shell. Services store
agreements and pass them to these functions on behalf of intake and disclosure.
"""

from matchgate.domain.lifecycle import NoticeStatus
from matchgate.governance.agreement import (
    Agreement,
    Fee,
    Parties,
    Party,
    Purpose,
    Retention,
    RoutineUse,
    SystemOfRecords,
)
from matchgate.governance.cmppa import ComputerMatching, Exemption, MatchingProgram, Renewal
from matchgate.governance.codes import (
    AGREEMENT_MEANINGS,
    REFUSAL_MEANINGS,
    AgreementCode,
    RefusalCode,
)
from matchgate.governance.loading import (
    AgreementSource,
    parse_agreement,
    read_agreement_file,
    sha256_text,
)
from matchgate.governance.onward import (
    Policy,
    agreed_purposes,
    decide_policy,
    onward_disclosable,
    onward_refusals,
)
from matchgate.governance.policy import (
    Refusal,
    disallowed_request_fields,
    disclosable_categories,
    governing_version,
    in_force,
    refusal_reasons,
    routine_uses_relied_on,
    volume_exceeded,
)
from matchgate.governance.review import coverage_gaps, coverage_warnings
from matchgate.governance.vocabulary import REQUEST_ID, Category, Channel, Purged, RequestField

__all__ = [
    "AGREEMENT_MEANINGS",
    "REFUSAL_MEANINGS",
    "REQUEST_ID",
    "Agreement",
    "AgreementCode",
    "AgreementSource",
    "Category",
    "Channel",
    "ComputerMatching",
    "Exemption",
    "Fee",
    "MatchingProgram",
    "NoticeStatus",
    "Parties",
    "Party",
    "Policy",
    "Purged",
    "Purpose",
    "Refusal",
    "RefusalCode",
    "Renewal",
    "RequestField",
    "Retention",
    "RoutineUse",
    "SystemOfRecords",
    "agreed_purposes",
    "coverage_gaps",
    "coverage_warnings",
    "decide_policy",
    "disallowed_request_fields",
    "disclosable_categories",
    "governing_version",
    "in_force",
    "onward_disclosable",
    "onward_refusals",
    "parse_agreement",
    "read_agreement_file",
    "refusal_reasons",
    "routine_uses_relied_on",
    "sha256_text",
    "volume_exceeded",
]
