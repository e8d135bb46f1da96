"""Performance tooling: the demo data generator (`flask db-seed-demo`)."""
