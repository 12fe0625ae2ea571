"""matchgate: governed inter-agency identity matching and status verification.

The package is laid out so the architecture shows: ``domain`` holds pure types, the stages
(``intake``, ``standardize``, ``matching``, ``master``, ``synth``, ``eval``) each do one job,
``engines`` and ``storage`` are the only code that touches a database, ``services`` joins the
stages into use cases, and ``cli`` is a thin shell over services. ``pyproject.toml`` holds the
import-linter contracts that keep it that way.
"""

__version__ = "0.1.0"
