"""Tamper-evident audit log and the accounting of disclosures."""
