"""Oversight: the audit log as an agency may see it (entries, proofs, accounting, withdrawals),
breach response, retention purges, and the notices of a withdrawal to earlier recipients.
"""
