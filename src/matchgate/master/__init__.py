"""The master file: loading, updating and snapshotting the SSN holders (grows with the scale issue)."""
