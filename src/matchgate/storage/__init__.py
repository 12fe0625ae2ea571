"""The operational store: SQLAlchemy models and sessions (SQLite default, PostgreSQL prod)."""
