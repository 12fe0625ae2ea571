"""Names, dates, SSNs, A-numbers and ZIP codes -> comparable forms, in Python and in SQL."""
