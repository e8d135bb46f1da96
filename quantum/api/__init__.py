"""HTTP blueprints, one per domain."""
