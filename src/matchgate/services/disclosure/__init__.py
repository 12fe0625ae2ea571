"""Disclosure: what leaves and how: minimized responses under the policy in force, SSNVS/EVS
returns, sealed packages, onward-use notices.

What other contexts may use is exported here; the modules are this context's own.
"""

from matchgate.services.disclosure.host import host_signing_key
from matchgate.services.disclosure.notices import notice_statuses
from matchgate.services.disclosure.respond import (
    DisclosureJob,
    Keys,
    Outcome,
    SubjectKey,
    disclose,
)
from matchgate.services.disclosure.ssnvs import match_columns

__all__ = [
    "DisclosureJob",
    "Keys",
    "Outcome",
    "SubjectKey",
    "disclose",
    "host_signing_key",
    "match_columns",
    "notice_statuses",
]
