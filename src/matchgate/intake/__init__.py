"""Read user files and validate them: request files (CSV, Parquet, JSON Lines) and master files.

Codes for everything that can be wrong with an input are in :mod:`matchgate.intake.codes`.
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
