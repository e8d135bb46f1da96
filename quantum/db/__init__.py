"""The schema lifecycle engine: works on any SQLModel metadata and Alembic script directory."""

from quantum.db.ensure import EnsureOptions, EnsureResult, SchemaTarget, ensure_schema
from quantum.db.errors import SchemaError

__all__ = ["EnsureOptions", "EnsureResult", "SchemaError", "SchemaTarget", "ensure_schema"]
