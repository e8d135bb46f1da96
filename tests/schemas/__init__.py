"""Other products' schemas, kept as fixtures to prove the schema engine is generic."""
