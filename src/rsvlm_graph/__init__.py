"""rsvlm-graph: the Awesome Remote Sensing VLM list as a citation knowledge graph."""

__version__ = "0.1.0"
