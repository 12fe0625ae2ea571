"""The operational store: SQLAlchemy models and sessions (SQLite by default, PostgreSQL in production)."""
