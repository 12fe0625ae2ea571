"""Users and tokens for tests: the host agency (SSA) bootstrapped, partners and users on demand.

Tests of governed services act as a real user with a real token, made through the services,
never by switching the checks off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tests.submit.helpers import MemorySink

from matchgate.access import Principal
from matchgate.app.access import authenticate
from matchgate.app.core import App
from matchgate.domain.audit import AuditSink
from matchgate.services.administration.users import add_agency, add_user, bootstrap, issue_token
from matchgate.settings import Settings
from matchgate.storage import access as store
from matchgate.storage.db import session

HOST = "SSA"
PARTNERS = ("DHS", "DHS-USCIS")
"""The recipients of examples/agreements/*.yaml."""


@dataclass
class Accounts:
    """The host agency's first administrator, and a way to make users with tokens."""

    settings: Settings
    sink: AuditSink = field(default_factory=MemorySink)
    admin_token: str = ""
    tokens: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        made = bootstrap(
            App(self.settings, audit=self.sink),
            agency=HOST,
            agency_name="Social Security Administration (synthetic)",
            user_id="admin",
        )
        self.admin_token = made.token
        self.tokens["admin"] = made.token

    @property
    def admin(self) -> Principal:
        return authenticate(App(self.settings), self.admin_token)

    def agency(self, code: str) -> None:
        with session(self.settings.sqlite_url) as s:
            known = store.get_agency(s, code) is not None
        if not known:
            add_agency(
                App(self.settings, audit=self.sink), code, f"{code} (synthetic)", caller=self.admin
            )

    def register_key(self, agency: str, public_key: Path) -> str:
        """Register ``public_key`` as ``agency``'s current recipient key (as the host's
        administrator, with the fingerprint confirmed); its key id."""
        from matchgate.disclosure import key_id, load_public_key
        from matchgate.services.administration.recipient_keys import add_recipient_key

        self.agency(agency)
        fingerprint = key_id(load_public_key(public_key))
        add_recipient_key(
            App(self.settings, audit=self.sink), agency, public_key, fingerprint, caller=self.admin
        )
        return fingerprint

    def partners(self, *codes: str) -> None:
        """Register the recipient agencies of the example agreements (or ``codes``): an
        agreement may name only a registered recipient."""
        for code in codes or PARTNERS:
            self.agency(code)

    def user(self, user_id: str, agency: str, *roles: str) -> Principal:
        """A new active user of ``agency`` (registered if new) with ``roles``, authenticated."""
        self.agency(agency)
        add_user(
            App(self.settings, audit=self.sink),
            user_id,
            agency=agency,
            roles=list(roles),
            caller=self.admin,
        )
        made = issue_token(App(self.settings, audit=self.sink), caller=self.admin, user_id=user_id)
        self.tokens[user_id] = made.token
        return authenticate(App(self.settings), made.token)
