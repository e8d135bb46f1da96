"""QuantumLeap's backend. `create_app` lives in `quantum.app` and is imported on first use.

Importing the package stays cheap so that `flask db-ensure` can check an up-to-date database
without loading the web application (its blueprints, schemas and extensions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from quantum.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    """Import the app factory on first access (PEP 562)."""
    if name == "create_app":
        from quantum.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
