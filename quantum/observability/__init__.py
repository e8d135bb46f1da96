"""Request ids, structured logs, Prometheus metrics and alerts."""
