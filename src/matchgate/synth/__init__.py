"""Synthetic master, request and truth files that look like the population matchgate serves.

All data is synthetic. The generator draws people from name-frequency tables (``data/``), gives
them life events (marriage name changes, naturalization, moves, deaths), look-alike relatives
(twins, parents and children sharing a name), detail records, and then writes a month's request
file with realistic discrepancies and its ground truth. Everything is vectorized over people and
streamed in chunks, so the master can be far larger than memory; see :mod:`.pipeline`.
"""

from matchgate.synth.pipeline import GeneratedFiles, generate
from matchgate.synth.population import MASTER_COLUMNS
from matchgate.synth.tables import ORIGIN_MIX, ORIGINS, RefTables, load_tables

__all__ = [
    "MASTER_COLUMNS",
    "ORIGINS",
    "ORIGIN_MIX",
    "GeneratedFiles",
    "RefTables",
    "generate",
    "load_tables",
]
