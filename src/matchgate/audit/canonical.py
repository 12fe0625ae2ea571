"""The audit log's canonical JSON is the one in :mod:`matchgate.domain.canonical`.

Kept so that ``matchgate.audit.canonical`` imports keep working; new code imports the domain
module. The audit log reads under the default rules (any JSON value, floats allowed).
"""

from __future__ import annotations

from matchgate.domain.canonical import NotCanonical, canonical_json, parse_canonical

__all__ = ["NotCanonical", "canonical_json", "parse_canonical"]
