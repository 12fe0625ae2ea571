"""The operator's audit commands as use cases for a caller with a token.

``matchgate audit verify`` and ``audit checkpoint`` are operator commands on the command line
(whoever holds the store and the keys runs them). A long-running shell has no operator: there
the caller must be of the host agency with a role that reads the audit log (its privacy
officers and auditors), and a refusal is audited as every other.
"""

from __future__ import annotations

from matchgate.access import Action, Principal
from matchgate.app.access import require_host
from matchgate.app.core import App
from matchgate.audit import Checkpoint
from matchgate.audit.verify import VerifyReport
from matchgate.services.oversight.audit_queries import verify_audit


def verify_for_host(app: App, *, caller: Principal) -> VerifyReport:
    """Verify the whole log against its own checkpoint file and public key (``audit verify``
    with no options), for the host's privacy officers and auditors."""
    require_host(app.settings, caller, Action.AUDIT_READ, audit=app.audit)
    return verify_audit(app.audit_config)


def checkpoint_for_host(app: App, *, caller: Principal) -> Checkpoint:
    """Sign the log's current size and root now (``audit checkpoint``), for the host's privacy
    officers and auditors."""
    log = app.audit_log()
    require_host(app.settings, caller, Action.AUDIT_READ, audit=log)
    return log.checkpoint()
