"""Placeholder names: values typed where a name was unknown. Unknown is not different.

A record keyed with ``FNU`` (first name unknown), ``BABY GIRL`` or ``UNKNOWN`` in a name field
says nothing about the person's name. Compared as a name it reads as a *conflicting* name: a
first name ``FNU`` against the SSN holder's ``MARIA`` looks like a borrowed SSN. So a name field
whose whole standardized value is one of :data:`PLACEHOLDER_NAMES` is treated as missing, on the
request side (Python, :func:`matchgate.standardize.names.standardize_name`) and on the master
side (SQL, the ``mg_name`` macro of :mod:`matchgate.standardize.sql`) alike, and a request row
that carried one gets the warning code ``W_NAME_PLACEHOLDER``. A missing name gets no name
comparison, so decisions and SSA codes follow the other fields.

The list holds *standardized* forms (upper case A-Z, every run of other characters one space,
apostrophes and periods removed: ``N/A`` is ``N A``, ``Baby-Boy`` is ``BABY BOY``), and a value
is a placeholder only when it is one of them *as a whole* (``BABY JANE`` is a name). A single
letter is never a placeholder: it is an initial. Where the sources come from:

* **Vital records and hospital registration.** A newborn registered before it is named is
  entered as ``BABY``, ``BABY BOY`` / ``BABY GIRL`` (also written as one word), ``INFANT``
  (``INFANT BOY``/``GIRL``), ``NEWBORN``, ``BOY`` / ``GIRL``, ``MALE`` / ``FEMALE``, ``TWIN A`` /
  ``TWIN B``, or ``UNNAMED`` / ``NOT NAMED`` / ``NO NAME``: the temporary-name conventions of
  newborn registration and of state birth-registration practice (a birth certificate filed
  before the child is named is later amended). These records reach SSA through
  Enumeration at Birth.
* **Courts, law enforcement and immigration data.** ``FNU`` (first name unknown), ``LNU`` (last
  name unknown), ``MNU`` (middle name unknown), ``NFN`` / ``NLN`` (no first / last name),
  ``NMN`` / ``NMI`` (no middle name / initial) are the abbreviations of federal court dockets,
  U.S. Marshals and law-enforcement records; DHS immigration records write ``FNU`` in the first
  name of a person with a single name. ``UNK`` / ``UNKN`` / ``UNKNOWN`` are the generic form.
* **Relationship words typed as names** on household forms (a census or survey respondent
  listing the people of a household, a tax or benefit form listing dependents): ``MOTHER``,
  ``FATHER``, ``DAUGHTER``, ``WIFE``, ``HUSBAND``, ``SPOUSE``, ``DEPENDENT``, ``MOM``. Left out on
  purpose: ``SON`` (a common Vietnamese given name, Sơn, and a Korean surname, Son) and
  ``CHILD`` (an English surname): the list applies to every name field, and erasing a real name
  of one origin would cost that origin recall.
* **Test and filler values of data entry**: ``TEST``, ``NONE``, ``NULL``, ``N A`` (from
  ``N/A``; ``NA`` itself is a Korean surname and stays a name), ``NOT APPLICABLE``, ``NOT
  GIVEN``, ``NOT STATED``, ``REFUSED``, ``UNAVAILABLE``, ``BLANK``, ``ANONYMOUS``, ``NAME``,
  ``FIRST NAME``, ``LAST NAME``, and runs of ``X`` or ``Z`` (two or more letters).
* **SSA and IRS.** SSA's SSNVS and W-2 instructions ask for the name as shown on the Social
  Security card and publish no list of placeholders; a one-name person is enumerated with the
  name in the last-name field and the first name blank, which standardization already reads as
  missing. No entry here comes from them.

Nothing in this list was taken from any generator of the evaluation suite (docs/matching.md).
"""

from __future__ import annotations

PLACEHOLDER_NAMES: frozenset[str] = frozenset(
    {
        # vital records, newborn registration
        "BABY",
        "BABY BOY",
        "BABY GIRL",
        "BABYBOY",
        "BABYGIRL",
        "INFANT",
        "INFANT BOY",
        "INFANT GIRL",
        "NEWBORN",
        "BOY",
        "GIRL",
        "MALE",
        "FEMALE",
        "TWIN A",
        "TWIN B",
        "UNNAMED",
        "NOT NAMED",
        "NO NAME",
        "NONAME",
        # courts, law enforcement, immigration
        "FNU",
        "LNU",
        "MNU",
        "NFN",
        "NLN",
        "NMN",
        "NMI",
        "UNK",
        "UNKN",
        "UNKNOWN",
        # relationship words typed as names (not SON, not CHILD: see above)
        "MOTHER",
        "FATHER",
        "DAUGHTER",
        "WIFE",
        "HUSBAND",
        "SPOUSE",
        "DEPENDENT",
        "DEPENDANT",
        "MOM",
        # test and filler values
        "TEST",
        "NONE",
        "NULL",
        "N A",
        "NOT APPLICABLE",
        "NOT GIVEN",
        "NOT STATED",
        "REFUSED",
        "UNAVAILABLE",
        "BLANK",
        "ANONYMOUS",
        "NAME",
        "FIRST NAME",
        "LAST NAME",
        "FIRSTNAME",
        "LASTNAME",
        *("X" * n for n in range(2, 11)),
        *("Z" * n for n in range(2, 11)),
    }
)
"""Standardized name values that mean "unknown" (see the module docstring for the sources)."""


def is_placeholder(standardized: str) -> bool:
    """Whether a standardized name (:func:`~matchgate.standardize.names.standardize_name`'s form
    before this check) is a placeholder."""
    return standardized in PLACEHOLDER_NAMES
