"""The API sources: one HTTP transport, Semantic Scholar and arXiv."""
