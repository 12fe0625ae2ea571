"""Master: the loaded master store and its snapshots, matching a request file against it,
synthetic data with ground truth, evaluation and the demo.

What other contexts may use is exported here; the modules are this context's own.
"""

from matchgate.services.master.match import MatchSummary, match_files
from matchgate.services.master.store import DisclosureMaster, disclosure_master

__all__ = ["DisclosureMaster", "MatchSummary", "disclosure_master", "match_files"]
