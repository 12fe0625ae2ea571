"""The pure rules: the role matrix, cell by cell, and the token format."""

from __future__ import annotations

import pytest

from matchgate.access import (
    MATRIX,
    Action,
    Parties,
    Principal,
    Role,
    check_action,
    check_object,
    hash_token,
    new_token,
    parse_roles,
    parse_token,
    token_matches,
)
from matchgate.domain.errors import InputError

SSA_DHS = Parties("SSA", "DHS")


def who(agency: str, *roles: Role, host: bool = False) -> Principal:
    return Principal("u", agency, frozenset(roles), "0" * 16, host=host)


# (action, role, agency of the caller) -> allowed on an object of SSA (discloser) -> DHS
EXPECTED = {
    (Action.SUBMIT, Role.SUBMITTER, "DHS"): True,
    (Action.SUBMIT, Role.SUBMITTER, "SSA"): False,
    (Action.SUBMIT, Role.PRIVACY_OFFICER, "DHS"): False,
    (Action.SUBMIT, Role.ADMINISTRATOR, "DHS"): False,
    (Action.SUBMISSION_READ, Role.SUBMITTER, "DHS"): True,
    (Action.SUBMISSION_READ, Role.REVIEWER, "SSA"): True,
    (Action.SUBMISSION_READ, Role.REVIEWER, "DHS"): False,
    (Action.SUBMISSION_READ, Role.AUDITOR, "DHS"): True,
    (Action.SUBMISSION_READ, Role.ADMINISTRATOR, "SSA"): False,
    (Action.AGREEMENT_ADD, Role.PRIVACY_OFFICER, "SSA"): True,
    (Action.AGREEMENT_ADD, Role.PRIVACY_OFFICER, "DHS"): False,
    (Action.AGREEMENT_SUSPEND, Role.PRIVACY_OFFICER, "SSA"): True,
    (Action.AGREEMENT_SUSPEND, Role.PRIVACY_OFFICER, "DHS"): False,
    (Action.AGREEMENT_SUSPEND, Role.ADMINISTRATOR, "SSA"): False,
    (Action.NOTICE_FILE, Role.PRIVACY_OFFICER, "DHS"): True,
    (Action.NOTICE_FILE, Role.PRIVACY_OFFICER, "SSA"): False,
    (Action.NOTICE_DECIDE, Role.PRIVACY_OFFICER, "SSA"): True,
    (Action.NOTICE_DECIDE, Role.PRIVACY_OFFICER, "DHS"): False,
    (Action.ACCOUNTING_READ, Role.PRIVACY_OFFICER, "SSA"): True,
    (Action.ACCOUNTING_READ, Role.PRIVACY_OFFICER, "DHS"): False,
    (Action.ACCOUNTING_WITHDRAW, Role.AUDITOR, "SSA"): False,
    (Action.AUDIT_READ, Role.AUDITOR, "DHS"): True,
    (Action.AUDIT_READ, Role.SUBMITTER, "DHS"): False,
}


@pytest.mark.parametrize(("cell", "allowed"), EXPECTED.items(), ids=str)
def test_matrix_cells(cell: tuple[Action, Role, str], allowed: bool) -> None:
    action, role, agency = cell
    assert (check_object(who(agency, role), action, SSA_DHS) is None) is allowed


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", list(Role))
def test_no_role_reaches_an_agreement_it_is_not_party_to(action: Action, role: Role) -> None:
    denial = check_object(who("IRS", role), action, SSA_DHS)
    assert denial is not None
    if role in MATRIX[action]:
        assert denial.hidden  # reported as not found: the object's existence is not revealed
    else:
        assert denial.reason == "no_role"


@pytest.mark.parametrize("action", list(Action))
def test_no_roles_no_access(action: Action) -> None:
    assert check_action(who("SSA"), action) is not None


def test_administrators_read_no_exchange_data() -> None:
    """Account management (users, agencies, recipients' public keys) and a retention run
    (which deletes and prints ids and counts, never what a record says) are the only
    administrator actions."""
    admin = who("SSA", Role.ADMINISTRATOR, host=True)
    upkeep = {Action.RETENTION_RUN}
    accounts = ("user", "agency", "recipient_key")
    exchange = [a for a in Action if a.value.split(".")[0] not in accounts]
    for action in exchange:
        allowed = check_object(admin, action, SSA_DHS) is None
        assert allowed == (action in upkeep), action


def test_host_administrators_manage_every_agency_others_only_their_own() -> None:
    host = who("SSA", Role.ADMINISTRATOR, host=True)
    partner = who("DHS", Role.ADMINISTRATOR)
    dhs, irs = Parties.of_agency("DHS"), Parties.of_agency("IRS")
    assert check_object(host, Action.USER_MANAGE, irs) is None
    assert check_object(partner, Action.USER_MANAGE, dhs) is None
    assert check_object(partner, Action.USER_MANAGE, irs) is not None
    assert check_object(partner, Action.AGENCY_MANAGE, dhs) is not None
    assert check_object(host, Action.AGENCY_MANAGE, irs) is None
    # recipient keys: the host's administrators only; an auditor reads its own agency's
    assert check_object(host, Action.RECIPIENT_KEY_MANAGE, dhs) is None
    assert check_object(partner, Action.RECIPIENT_KEY_MANAGE, dhs) is not None
    assert check_object(partner, Action.RECIPIENT_KEY_READ, dhs) is not None
    auditor = who("DHS", Role.AUDITOR)
    assert check_object(auditor, Action.RECIPIENT_KEY_READ, dhs) is None
    assert check_object(auditor, Action.RECIPIENT_KEY_READ, irs) is not None


def test_every_action_has_a_row() -> None:
    assert set(MATRIX) == set(Action)


def test_roles_parse_and_unknown_is_an_input_error() -> None:
    assert parse_roles(["Privacy-Officer", "auditor"]) == {Role.PRIVACY_OFFICER, Role.AUDITOR}
    with pytest.raises(InputError, match="E_ROLE"):
        parse_roles(["root"])


def test_tokens_are_random_shaped_and_compared_by_hash() -> None:
    one, two = new_token(), new_token()
    assert one.token != two.token
    assert one.token_id != two.token_id
    assert parse_token(one.token) == one.token_id
    assert one.sha256 == hash_token(one.token)
    assert token_matches(one.token, one.sha256)
    assert not token_matches(two.token, one.sha256)
    assert one.token not in repr(one)
    secret = one.token[len(f"mgt_{one.token_id}_") :]  # base64url: may itself hold "_"
    assert len(secret) == 43  # 32 random bytes
    for bad in ("", "mgt_xyz_abc", one.token[:-1], one.token.replace("mgt_", "xxx_")):
        assert parse_token(bad) is None
