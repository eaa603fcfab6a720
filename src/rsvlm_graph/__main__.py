"""``python -m rsvlm_graph``: the same command line as ``rsvlm-graph``."""

from .cli import app

app(prog_name="rsvlm-graph")
