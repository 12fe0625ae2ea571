"""The application kernel every use case shares: who is calling and may they (``access``), the
audit sink (``audit``), long jobs (``jobs``), engines built from the settings (``engines``) and a
submission's files at rest (``workfiles``).

A shell builds one :class:`~matchgate.app.core.App` per process; use cases in
:mod:`matchgate.services` run over it.
"""
