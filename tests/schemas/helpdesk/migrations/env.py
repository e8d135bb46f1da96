"""Alembic environment: the engine's shared runner, exactly as the project's own env.py."""

from quantum.schema_engine.alembic_env import run_env

run_env()
