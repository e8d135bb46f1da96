"""Alembic environment: the shared runner in quantum.db serves `flask db` and `flask db-ensure`."""

from quantum.schema_engine.alembic_env import run_env

run_env()
