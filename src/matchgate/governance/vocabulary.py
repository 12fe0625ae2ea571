"""The closed vocabularies an agreement is written in: record categories, request fields, channels.

Values are stable strings: agreements, response packages and other agencies' software spell them.
They are added, never renamed or reused.
"""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    """A record category that may be disclosed per match (data contract, sections 1 and 5)."""

    IDENTITY = "identity"
    ALIASES = "aliases"
    ADDRESS = "address"
    PLACE_OF_BIRTH = "place_of_birth"
    BANKING = "banking"
    PHONES = "phones"
    EMAILS = "emails"
    RELATIVES = "relatives"
    IP_ADDRESSES = "ip_addresses"
    CITIZENSHIP = "citizenship"
    EARNINGS = "earnings"
    APPOINTMENTS = "appointments"


class RequestField(StrEnum):
    """A request-file column an agreement may allow (data contract, section 2).

    ``request_id`` is not listed: every request file must carry it, so it is always allowed.
    """

    FIRST_NAME = "first_name"
    MIDDLE_NAME = "middle_name"
    LAST_NAME = "last_name"
    SSN = "ssn"
    A_NUMBER = "a_number"
    DOB = "dob"
    ADDRESS_LINE = "address_line"
    CITY = "city"
    STATE = "state"
    ZIP = "zip"


REQUEST_ID = "request_id"
"""The one request column every agreement allows."""

NAME_FIELDS = frozenset({RequestField.FIRST_NAME, RequestField.LAST_NAME})
"""A request row needs some name (data contract, section 2), so an agreement must allow one."""


class Channel(StrEnum):
    """How requests arrive: monthly or bulk ``file`` submissions, or ``single`` queries."""

    FILE = "file"
    SINGLE = "single"


class Purged(StrEnum):
    """What the disclosing agency deletes when the retention period ends.

    The accounting of disclosures is not on this list: the Privacy Act (5 U.S.C. 552a(c)(2))
    requires keeping it for five years or the life of the record, whichever is longer.
    """

    REQUEST_FILES = "request_files"
    MATCH_RESULTS = "match_results"
    RESPONSE_PACKAGES = "response_packages"
    REVIEW_NOTES = "review_notes"
