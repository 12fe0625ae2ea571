"""Match decisions as the data contract names them."""

from enum import StrEnum


class Decision(StrEnum):
    """What the system concludes about one request row.

    ``MATCH`` is a decision the system would act on; ``POSSIBLE`` needs a person to review it;
    ``NO_MATCH`` means no master person is confidently this person.
    """

    MATCH = "match"
    POSSIBLE = "possible"
    NO_MATCH = "no_match"
