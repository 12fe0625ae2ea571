"""Column names fixed by the data contract (sections 1-3): shared by the writers and the readers."""

from __future__ import annotations

MASTER_COLUMNS: tuple[str, ...] = (
    "person_id",
    "ssn",
    "first_name",
    "middle_name",
    "last_name",
    "other_names",
    "dob",
    "sex",
    "birth_city",
    "birth_state",
    "birth_country",
    "citizenship",
    "citizenship_as_of",
    "a_number",
    "death_date",
    "address_line",
    "city",
    "state",
    "zip",
)
"""The master file's columns, one row per SSN holder, in the order matchgate writes them."""

REQUEST_COLUMNS: tuple[str, ...] = (
    "request_id",
    "first_name",
    "middle_name",
    "last_name",
    "ssn",
    "a_number",
    "dob",
    "address_line",
    "city",
    "state",
    "zip",
)
"""The request file's columns (section 2), in the order matchgate writes them."""

TRUTH_COLUMNS: tuple[str, ...] = ("request_id", "person_id", "case", "origin")
"""The truth file's columns (section 3b)."""
