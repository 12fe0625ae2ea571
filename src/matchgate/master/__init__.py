"""The master file: loading, updating and snapshotting the SSN holders (the scale issue)."""
