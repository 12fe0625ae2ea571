"""Every table of the two stores, by store: what migrations create and are checked against.

The operational store and the audit store may be one database (``MATCHGATE_AUDIT_URL`` empty) or
two; each is migrated on its own branch of the one history (see :mod:`matchgate.storage.migrate`).
"""

from __future__ import annotations

from sqlalchemy import MetaData

# Importing the model modules registers their tables on the shared declarative base.
from matchgate.storage import (
    access,
    agreements,
    audit,
    breaches,
    recipient_keys,
    review,
    submissions,
    withdrawals,
)
from matchgate.storage.atrest import registry
from matchgate.storage.models import Base

OPERATIONAL = "operational"
AUDIT = "audit"
BRANCHES = (OPERATIONAL, AUDIT)

_MODULES = (
    access,
    agreements,
    audit,
    breaches,
    recipient_keys,
    review,
    submissions,
    withdrawals,
    registry,
)

AUDIT_TABLES = frozenset(audit.TABLE_NAMES)
OPERATIONAL_TABLES = frozenset(Base.metadata.tables) - AUDIT_TABLES


def metadata() -> MetaData:
    """The models' metadata: every table of both stores."""
    return Base.metadata


def tables_of(branch: str) -> frozenset[str]:
    """The table names a store's branch owns."""
    return AUDIT_TABLES if branch == AUDIT else OPERATIONAL_TABLES
