"""``python -m planning`` = the ``planning`` command."""

from planning.cli import app

app()
