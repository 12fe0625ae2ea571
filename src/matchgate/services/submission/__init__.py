"""Submission: a requesting agency's file from receipt (validated against its agreement) through
matching and the disclosure policy to its sealed package, with the job's record and statuses.
"""
