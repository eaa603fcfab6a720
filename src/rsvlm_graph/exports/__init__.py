"""The exporters: RDF (Turtle, JSON-LD), GraphML and CSV, the HTML page, the report, the annotated list."""
