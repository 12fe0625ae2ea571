"""Database engines behind one interface (:class:`matchgate.engines.base.Engine`).

This package's ``__init__`` imports no engine, so code that only needs the interface never pulls
in DuckDB or Spark. Concrete engines live in their own modules and are chosen by services.
"""
