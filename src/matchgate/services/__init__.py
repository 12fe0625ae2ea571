"""Use cases, one function each, grouped by context; the only place that commits.

* ``submission``: a requesting agency's monthly file, from receipt to its sealed package;
* ``disclosure``: what leaves and how (minimized responses, SSNVS/EVS returns, packages, onward-use
  notices);
* ``master``: the master store, matching, synthetic data, evaluation and the demo;
* ``administration``: agencies, users, tokens, agreements and their suspension, data keys;
* ``oversight``: the accounting of disclosures as an agency sees it, breach response, retention.

A context's modules are its own: another context imports only what its package exports.
"""
