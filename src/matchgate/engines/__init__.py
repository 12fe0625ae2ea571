"""Database engines behind one interface (:class:`matchgate.engines.base.Engine`).

This package's ``__init__`` imports no engine, so code that only needs the interface never pulls
in DuckDB or Spark. Concrete engines live in their own modules; services reach them only through
:class:`matchgate.engines.factory.EngineFactory` and ask their capabilities
(:mod:`matchgate.engines.capabilities`) instead of their names.
"""
