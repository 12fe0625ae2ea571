"""Synthetic master, request and truth files that look like the population matchgate serves.

All data is synthetic. The generator draws people from name-frequency tables (``data/``), gives
them life events (marriage name changes, naturalization, moves, deaths), look-alike relatives
(twins, parents and children sharing a name), detail records, and then writes a month's request
file with realistic discrepancies and its ground truth. Everything about people is vectorized
(numpy, pyarrow.compute) and streamed in chunks, so the master can be far larger than memory.

Modules, in the order data flows:

- ``tables``: load the reference tables into weighted pools; origin mix.
- ``sampling``, ``ids``, ``text``, ``dates``: seeded streams and weighted draws; person ids,
  SSNs, A-numbers (keyed permutations); Arrow string building; day numbers.
- ``names``, ``places``, ``life``: names, addresses and birthplaces, life events.
- ``population``: one chunk of people (master columns plus hidden ones for later stages).
- ``chunk``, ``details``, ``finance``: the detail tables of a chunk.
- ``requests`` (plan, capture, assemble), ``quotas`` (who gets which discrepancy),
  ``discrepancies`` (the kinds and how each is applied), ``absent``, ``request_rows``.
- ``writer``, ``pipeline``: atomic Parquet/CSV output; the whole run.
"""

from matchgate.domain.contract import MASTER_COLUMNS
from matchgate.synth.pipeline import GeneratedFiles, generate
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
