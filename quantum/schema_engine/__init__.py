"""The schema lifecycle engine: works on any SQLModel metadata and Alembic script directory.

The engine's names are loaded on first use, so that light modules of this package
(`quantum.schema_engine.url`, `quantum.schema_engine.quick`) can be imported without SQLAlchemy and Alembic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from quantum.schema_engine.ensure import EnsureOptions, EnsureResult, SchemaTarget, ensure_schema
    from quantum.schema_engine.errors import SchemaError

__all__ = ["EnsureOptions", "EnsureResult", "SchemaError", "SchemaTarget", "ensure_schema"]


def __getattr__(name: str) -> Any:
    """Import the engine on first access to one of its names (PEP 562)."""
    if name == "SchemaError":
        from quantum.schema_engine import errors

        return errors.SchemaError
    if name in __all__:
        from quantum.schema_engine import ensure

        return getattr(ensure, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
