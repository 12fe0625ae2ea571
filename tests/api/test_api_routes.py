"""Each route does what its command does, through the client: the same use case, roles and
agencies (the services' own tests cover their rules; these check the wiring and the schemas)."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from tests.access.world import SSN
from tests.api.conftest import Served
from tests.submit.helpers import REFERENCE

from matchgate.domain.errors import AccessDenied, InputError


def test_agencies_users_and_tokens(served: Served) -> None:
    admin = served.client("admin")
    assert admin.add_agency("HHS", "Health (synthetic)") == {
        "code": "HHS",
        "name": "Health (synthetic)",
        "host": False,
    }
    assert {"SSA", "DHS", "HHS"} <= {a["code"] for a in admin.agencies()}
    made = admin.add_user("hhs-one", "HHS", ["submitter"])
    assert (made["id"], made["agency"], made["roles"], made["status"]) == (
        "hhs-one",
        "HHS",
        ["submitter"],
        "active",
    )
    assert "hhs-one" in {u["id"] for u in admin.users(agency="HHS")}
    token = admin.issue_token("hhs-one", days=7, label="api-test")
    assert token["token"].startswith("mgt_")
    listed = admin.tokens("hhs-one")
    assert [t["id"] for t in listed] == [token["token_id"]]
    assert "token" not in listed[0]  # a listed token never shows its secret
    assert admin.revoke_token(token["token_id"])["revoked_at"] is not None
    assert admin.revoke_user("hhs-one")["status"] == "revoked"
    # a partner's auditor sees its own agency only; a submitter may not list them at all
    assert [a["code"] for a in served.client("dhs-po").agencies()] == ["DHS"]
    with pytest.raises(AccessDenied):
        served.client("dhs-submitter").agencies()


def test_agreements(served: Served) -> None:
    po = served.client("ssa-po")
    listed = {a["id"]: a for a in po.agreements()}
    assert listed["reference-2025-08"]["recipient"] == "DHS"
    shown = po.agreement("reference-2025-08", version=1)
    assert shown["agreement"]["parties"]["recipient"]["code"] == "DHS"
    assert shown["versions"] == [1]
    again = po.add_agreement(REFERENCE.read_text(encoding="utf-8"), "reference.yaml")
    assert again["stored"] is False  # identical text is kept once
    with pytest.raises(InputError) as bad:
        po.add_agreement("id: [not an agreement", "broken.yaml")
    assert "broken.yaml" in bad.value.message
    assert po.suspend_agreement("save-verification", "audit finding") == {
        "agreement_id": "save-verification",
        "suspended": True,
    }
    assert po.agreement("save-verification")["suspended"] is True
    assert po.resume_agreement("save-verification")["suspended"] is False
    with pytest.raises(AccessDenied):
        served.client("dhs-submitter").suspend_agreement("reference-2025-08", "no")


def test_an_added_agreement_answers_201(served: Served) -> None:
    text = REFERENCE.read_text(encoding="utf-8").replace(
        "id: reference-2025-08", "id: reference-api-test"
    )
    response = served.http.post(
        "/v1/agreements",
        json={"document": text, "source_name": "api.yaml"},
        headers=served.headers("ssa-po"),
    )
    assert response.status_code == 201, response.text
    assert response.json()["id"] == "reference-api-test"


def test_submissions_and_notices(served: Served) -> None:
    w = served.world
    dhs = served.client("dhs-submitter")
    rows = dhs.submissions()
    assert [r["job_id"] for r in rows] == [w.submission.job_id]
    one = dhs.submission(w.submission.job_id)
    assert one["agreement"] == {"id": "reference-2025-08", "version": 1}
    assert one["package_id"] == w.submission.package_id
    assert "codes" in one["report"] or one["report"] == {}
    assert served.client("irs-all").submissions() == []
    notices = served.client("dhs-po").notices(agreement="reference-2025-08")
    assert [n["id"] for n in notices] == [w.notice.id]
    assert notices[0]["status"] == "pending"


def test_accounting_takes_the_ssn_in_the_body_only(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        result = served.client("ssa-po").accounting(SSN)
        person = served.client("ssa-po").accounting(SSN, for_person=True)
        bad = served.http.post(
            "/v1/accounting", json={"ssn": "000-00-000X"}, headers=served.headers("ssa-po")
        )
    assert [d["recipient"]["agency"] for d in result["disclosures"]] == ["DHS"]
    assert result["disclosures"][0]["reference"] == served.world.submission.package_id
    assert len(person["disclosures"]) <= len(result["disclosures"])
    assert bad.status_code in (400, 422)
    for text in (str(result), str(person), bad.text, caplog.text):
        assert SSN not in text
        assert SSN.replace("-", "") not in text
        assert "000-00-000X" not in text
    # another agency's accounting holds none of SSA's disclosures
    assert served.client("irs-all").accounting(SSN)["disclosures"] == []


def test_audit_verify_checkpoint_and_retention(served: Served) -> None:
    po = served.client("ssa-po")
    made = po.checkpoint()
    assert made["size"] > 0
    report = po.verify_audit()
    assert report["ok"] is True, report
    assert report["size"] >= made["size"]
    with pytest.raises(AccessDenied):
        served.client("irs-all").verify_audit()
    with pytest.raises(AccessDenied):
        served.client("dhs-po").checkpoint()
    dry = served.client("admin").retention_dry_run(on=dt.date(2030, 1, 1))
    assert dry["dry_run"] is True
    assert [p["job_id"] for p in dry["purged"]] == [served.world.submission.job_id]
    again = served.client("admin").retention_dry_run(on=dt.date(2030, 1, 1))
    assert again["purged"] == dry["purged"]  # a dry run changes nothing
    refused = served.http.post(
        "/v1/retention/runs", json={"dry_run": False}, headers=served.headers("admin")
    )
    assert refused.status_code == 422


def test_breach_open_list_show(served: Served) -> None:
    po = served.client("ssa-po")
    opened = po.open_incident(
        "misdirected_disclosure",
        recipients=["DHS"],
        summary="package sent to the wrong office",
    )
    assert opened["status"] == "open"
    assert opened["scope"]["recipients"] == ["DHS"]
    ids = [i["id"] for i in po.incidents()]
    assert opened["id"] in ids
    assert served.world.incident.id in ids
    shown = po.incident(opened["id"])
    assert shown["timeline"][0]["step"] == "open"
    assert served.client("irs-all").incidents() == []
    with pytest.raises(InputError):
        po.open_incident("not-a-category", recipients=["DHS"])
