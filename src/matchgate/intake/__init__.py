"""Read user files and validate them: request files (CSV, Parquet, JSON Lines) and master files.

Codes for everything that can be wrong with an input are in :mod:`matchgate.intake.codes`.

No message quotes a value from a file. Errors name the file, the row (or line) and the column,
and a column is named **by position** (1-based; JSON Lines keys in the order they first appear),
because a header may be data: a CSV without its header row makes the first record's name, SSN
and date of birth look like column names, and JSON Lines keys and Parquet column names can be
values too. A name is quoted only when it is one of this program's known field names
(:data:`matchgate.intake.columns.KNOWN_FIELDS`); an identifier-like pattern is not enough, since a
lower-cased given name or surname is one. See :mod:`matchgate.intake.columns`.
"""

from matchgate.intake.codes import MEANINGS, Code
from matchgate.intake.master import MasterSource, inspect_master, master_input_error
from matchgate.intake.requests import RequestBatch, read_requests

__all__ = [
    "MEANINGS",
    "Code",
    "MasterSource",
    "RequestBatch",
    "inspect_master",
    "master_input_error",
    "read_requests",
]
