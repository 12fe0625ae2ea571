"""Pure domain types: no I/O, no database, no shell.

The shared vocabulary every layer speaks: ``errors`` (the one exception tree and its codes),
``lifecycle`` (the statuses stored for submissions, packages, incidents, reviews, notices, users
and recipient keys), ``canonical`` (the one canonical JSON that hashes and signatures see),
``decision``, ``audit`` (the event protocol), ``progress``, ``personal`` (the net for SSN- and
A-number-shaped text), and the records the store's repositories hand back (``withdrawals``,
``breach``, ``submissions``, ``agreements``, ``recipient_keys``, ``accounts``).
"""
