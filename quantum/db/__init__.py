"""The database at run time: engine bounds, the circuit breaker, transient errors, query timing and the schema guard.

The schema lifecycle engine is `quantum.schema_engine`; operations (backups, maintenance, archival)
are `quantum.ops`.
"""
