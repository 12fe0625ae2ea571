"""Migration scripts: ``<branch>_<number>_<what>.py``, one branch per store."""
