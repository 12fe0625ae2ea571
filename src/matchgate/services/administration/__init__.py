"""Administration: agencies, users and tokens, agreements and their suspension, data keys.

What other contexts may use is exported here; the modules are this context's own.
"""

from matchgate.services.administration.agreements import (
    AgreementNotFound,
    agreement_parties,
    get_agreement,
    governing_agreement,
    is_suspended,
    readable_agreements,
    require_agreement,
)
from matchgate.services.administration.datakeys import open_data_keys
from matchgate.services.administration.recipient_keys import RegisteredKey, recipient_key
from matchgate.services.administration.suspensions import require_submit

__all__ = [
    "AgreementNotFound",
    "RegisteredKey",
    "agreement_parties",
    "get_agreement",
    "governing_agreement",
    "is_suspended",
    "open_data_keys",
    "readable_agreements",
    "recipient_key",
    "require_agreement",
    "require_submit",
]
