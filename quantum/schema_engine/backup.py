"""SQLite file backups through the online backup API, and restoring them."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path


def backup_sqlite(database: Path, backup_dir: Path, *, label: str = "backup") -> Path:
    """Copy a live SQLite database consistently (WAL included) to a timestamped file."""
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    target = backup_dir / f"{database.stem}-{label}-{stamp}.db"
    source = sqlite3.connect(str(database))
    try:
        destination = sqlite3.connect(str(target))
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()
    return target


def restore_sqlite(backup: Path, database: Path) -> None:
    """Write a backup back over a live database through the backup API (atomic for readers)."""
    source = sqlite3.connect(str(backup))
    try:
        destination = sqlite3.connect(str(database), timeout=30)
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()


def schema_fingerprint(database: Path) -> list[tuple]:
    """The DDL of every object in a SQLite file, to tell whether a rollback was complete."""
    connection = sqlite3.connect(str(database), timeout=30)
    try:
        return connection.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall()
    finally:
        connection.close()
