"""Column names fixed by the data contract (section 1): shared by the writer and the readers."""

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
