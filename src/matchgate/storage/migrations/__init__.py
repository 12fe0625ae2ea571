"""Alembic migrations of both stores: one history, two branches; run by ``matchgate db upgrade``."""
