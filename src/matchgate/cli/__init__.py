"""The command-line shell: parses arguments, draws progress, prints results. No business logic."""
