"""`python -m matchgate`: the same as the `matchgate` command."""

from matchgate.cli.main import app

app(prog_name="matchgate")
