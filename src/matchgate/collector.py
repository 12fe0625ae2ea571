"""Python's cyclic garbage collector, paused while a batch step builds many small objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector for the block (reference counting still frees everything).

    Standardizing a request file or building the spelling-variant keys of a master's names
    creates millions of small tuples, lists and strings, none in a cycle; the collector's passes
    over them took about as long as the work itself (50,000 requests: 2.1 s, 1.3 s paused;
    389,000 earlier surnames of a 10M master: 5.2 s, 2.8 s paused). The collector is enabled
    again only by the block that found it enabled, so a nested block leaves it paused.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
