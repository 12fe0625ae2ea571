"""The standardized request table: what intake produces and matching consumes.

One row per request row, in file order. Name columns hold standardized forms
(:func:`~matchgate.standardize.names.standardize_name`), null when unknown; identifiers are
integers; ``*_c`` are compact names (no spaces), ``last_tokens`` the parts of a compound surname,
``*_vk`` / ``*_dk`` a name's spelling-variant keys, all and dictionary ones
(:mod:`matchgate.standardize.variants`); ``addr`` the standardized address line. An unusable
field is null here and reported in ``warning_codes``. A row with an
``error_code`` is not matched at all.
"""

from __future__ import annotations

import pyarrow as pa

REQUEST_SCHEMA = pa.schema(
    [
        pa.field("row", pa.int32(), nullable=False),
        pa.field("request_id", pa.string(), nullable=False),
        pa.field("first", pa.string()),
        pa.field("middle", pa.string()),
        pa.field("last", pa.string()),
        pa.field("first_key", pa.string()),
        pa.field("last_keys", pa.list_(pa.string())),
        pa.field("ssn", pa.int32()),
        pa.field("a_number", pa.int32()),
        pa.field("dob", pa.date32()),
        pa.field("dob_swapped", pa.date32()),
        pa.field("zip", pa.string()),
        pa.field("addr", pa.string()),
        pa.field("first_c", pa.string()),
        pa.field("middle_c", pa.string()),
        pa.field("last_c", pa.string()),
        pa.field("last_tokens", pa.list_(pa.string())),
        pa.field("first_vk", pa.list_(pa.string())),
        pa.field("first_dk", pa.list_(pa.string())),
        pa.field("last_vk", pa.list_(pa.string())),
        pa.field("last_dk", pa.list_(pa.string())),
        pa.field("error_code", pa.string()),
        pa.field("warning_codes", pa.string(), nullable=False),
    ]
)
"""Columns of the standardized request table (``row`` is the 0-based position in the file)."""
