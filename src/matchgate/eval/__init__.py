"""Accuracy evaluation of a match output against a truth file (data contract section 3b)."""
