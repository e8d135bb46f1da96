"""Backups, restores, integrity checks, statistics and optimisation: one class per backend.

`maintenance_for(url or connection)` picks the class by the schema engine's backend lookup
(`quantum.schema_engine.ddl.backend_name`); the functions below are what the `flask db-*` commands call.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, make_url

from quantum.schema_engine.connect import describe_url, sqlite_path
from quantum.schema_engine.ddl import PostgreSQLBackend, SQLiteBackend, backend_name
from quantum.schema_engine.ddl.sqlite import backup_file, restore_file

# PostgreSQL tables up to this size are counted exactly (count(*) reads them whole); bigger ones
# report the statistics' estimate (n_live_tup), marked as such.
EXACT_COUNT_MAX_BYTES = 64 * 1024 * 1024


class MaintenanceError(Exception):
    """A maintenance command could not do its job (or found problems); the message says what to do."""

    exit_code = 1


@dataclass
class CheckResult:
    """The outcome of an integrity check."""

    ok: bool
    problems: list[str]
    advice: str


class Maintenance:
    """What the maintenance commands ask a backend. Settings accept SQLite and PostgreSQL URLs only, so this
    base only refuses, naming what the command needs."""

    name: ClassVar[str] = "generic"
    # Whether the backend counts how often each index was scanned (`flask db-stats` shows the column).
    counts_index_scans: ClassVar[bool] = False

    def backup(self, url: str, backup_dir: Path, *, keep: int) -> Path:
        """Back up the database to `backup_dir` and keep only the newest `keep` backups."""
        backup_dir.mkdir(parents=True, exist_ok=True)
        target, pattern = self.write_backup(url, backup_dir)
        for old in sorted(backup_dir.glob(pattern))[:-keep]:
            old.unlink()
        return target

    def write_backup(self, url: str, backup_dir: Path) -> tuple[Path, str]:
        """Write one backup; its path, and the glob pattern of this database's backups (for pruning)."""
        raise _unsupported("backups")

    def verify_backup(self, url: str, backup_file: Path) -> None:
        """Check a backup file before restoring it; raise MaintenanceError when it is unusable."""
        raise _unsupported("restores")

    def restore(self, url: str, backup_file: Path) -> None:
        """Replace the database's contents with a verified backup."""
        raise _unsupported("restores")

    def integrity_check(self, url: str) -> CheckResult:
        """Run the backend's integrity checks and say what to do when they fail."""
        raise _unsupported("integrity checks")

    def optimize(self, connection: Connection) -> str:
        """Refresh planner statistics; what was run."""
        raise _unsupported("statistics")

    def table_stats(self, connection: Connection, *, exact_count_max_bytes: int) -> list[dict]:
        """Per table: rows (`rows_exact` says whether counted or estimated), bytes, and when statistics were gathered."""
        raise _unsupported("statistics")

    def index_stats(self, connection: Connection) -> list[dict]:
        """Per index: its table (and, where the backend counts them, how often it was scanned)."""
        raise _unsupported("statistics")


def _unsupported(what: str) -> MaintenanceError:
    return MaintenanceError(f"{what} need a SQLite file or a PostgreSQL database")


class SQLiteMaintenance(Maintenance):
    """SQLite: the online backup API, `PRAGMA integrity_check`, sqlite_stat1 and dbstat."""

    name = SQLiteBackend.name

    def _file(self, url: str, what: str) -> Path:
        path = sqlite_path(url)
        if path is None:  # a memory database
            raise _unsupported(what)
        return path

    def write_backup(self, url: str, backup_dir: Path) -> tuple[Path, str]:
        """The online backup API: a consistent copy while the app keeps writing."""
        database_file = self._file(url, "backups")
        if not database_file.exists():
            raise MaintenanceError(f"{database_file} does not exist: nothing to back up")
        return backup_file(database_file, backup_dir, label="backup"), f"{database_file.stem}-backup-*.db"

    def verify_backup(self, url: str, backup_file: Path) -> None:
        """A SQLite file that passes `PRAGMA integrity_check` and has this application's alembic_version."""
        if not backup_file.is_file():
            raise MaintenanceError(f"{backup_file} does not exist")
        try:
            connection = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
            try:
                result = connection.execute("PRAGMA integrity_check").fetchone()[0]
                tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            finally:
                connection.close()
        except sqlite3.DatabaseError as exc:
            raise MaintenanceError(f"{backup_file} is not a SQLite database: {exc}") from None
        if result != "ok":
            raise MaintenanceError(f"{backup_file} fails its integrity check: {result}")
        if "alembic_version" not in tables:
            raise MaintenanceError(f"{backup_file} has no alembic_version table: not a backup of this application")

    def restore(self, url: str, backup_file: Path) -> None:
        """The backup API again, from the backup over the live file (atomic for readers)."""
        self.verify_backup(url, backup_file)
        restore_file(backup_file, self._file(url, "restores"))

    def integrity_check(self, url: str) -> CheckResult:
        """`PRAGMA integrity_check` and `PRAGMA foreign_key_check` on the file."""
        database_file = sqlite_path(url)
        if database_file is None:
            return CheckResult(False, ["a memory database has no file to check"], "set DATABASE_URL to a file")
        if not database_file.exists():
            return CheckResult(False, [f"{database_file} does not exist"], "run `flask db-ensure` to create it")
        try:
            connection = sqlite3.connect(str(database_file))
            try:
                rows = [r[0] for r in connection.execute("PRAGMA integrity_check")]
                foreign = connection.execute("PRAGMA foreign_key_check").fetchall()
            finally:
                connection.close()
        except sqlite3.DatabaseError as exc:
            rows, foreign = [f"cannot read the file: {exc}"], []
        problems = [r for r in rows if r != "ok"] + [f"broken foreign key: {f}" for f in foreign[:20]]
        return CheckResult(
            not problems,
            problems,
            "" if not problems else "stop the app, `flask db-restore <latest backup> --yes`, then `flask db-ensure`; "
            "if no backup exists, `sqlite3 quantum.db .recover | sqlite3 recovered.db` salvages what it can",
        )

    def optimize(self, connection: Connection) -> str:
        """ANALYZE bounded by analysis_limit (about 1000 rows per index, fast on a big file), then PRAGMA optimize."""
        connection.exec_driver_sql("PRAGMA analysis_limit=1000")
        connection.exec_driver_sql("ANALYZE")
        connection.exec_driver_sql("PRAGMA optimize")
        return "ANALYZE; PRAGMA optimize"

    def table_stats(self, connection: Connection, *, exact_count_max_bytes: int) -> list[dict]:
        """Counted rows; bytes from dbstat when the build has it; "analyzed" when sqlite_stat1 has the table."""
        stats = []
        has_stat1 = connection.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'"
        ).first() is not None
        for name in sa.inspect(connection).get_table_names():
            quoted = connection.dialect.identifier_preparer.quote(name)
            rows = connection.exec_driver_sql(f"SELECT count(*) FROM {quoted}").scalar()
            try:
                size = connection.exec_driver_sql("SELECT sum(pgsize) FROM dbstat WHERE name = ?", (name,)).scalar()
            except sa.exc.OperationalError:  # dbstat is an optional SQLite build feature
                size = None
            analyzed = has_stat1 and connection.exec_driver_sql(
                "SELECT 1 FROM sqlite_stat1 WHERE tbl = ?", (name,)
            ).first() is not None
            stats.append({"table": name, "rows": int(rows), "rows_exact": True, "bytes": size,
                          "last_analyze": "analyzed" if analyzed else None})
        return sorted(stats, key=lambda s: -(s["rows"]))

    def index_stats(self, connection: Connection) -> list[dict]:
        """Every index in sqlite_master (SQLite keeps no scan counts)."""
        rows = connection.exec_driver_sql(
            "SELECT tbl_name, name FROM sqlite_master WHERE type = 'index' ORDER BY tbl_name, name"
        ).all()
        return [{"table": t, "index": i, "scans": None, "bytes": None} for t, i in rows]


class PostgreSQLMaintenance(Maintenance):
    """PostgreSQL: pg_dump and pg_restore, invalid indexes, pg_stat_user_tables and pg_stat_user_indexes."""

    name = PostgreSQLBackend.name
    counts_index_scans = True

    @staticmethod
    def _libpq_url(url: str) -> str:
        """A URL pg_dump understands (no SQLAlchemy driver suffix)."""
        return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)

    def write_backup(self, url: str, backup_dir: Path) -> tuple[Path, str]:
        """`pg_dump --format=custom`, which pg_restore reads back in one transaction."""
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise MaintenanceError("pg_dump is not installed: install the PostgreSQL client (apt-get install postgresql-client)")
        name = make_url(url).database
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        target = backup_dir / f"{name}-backup-{stamp}.dump"
        process = subprocess.run(
            [pg_dump, "--format=custom", "--no-owner", f"--file={target}", self._libpq_url(url)],
            capture_output=True, text=True,
        )
        if process.returncode != 0:
            target.unlink(missing_ok=True)
            raise MaintenanceError(f"pg_dump failed: {process.stderr.strip().splitlines()[-1:]}")
        return target, f"{name}-backup-*.dump"

    def verify_backup(self, url: str, backup_file: Path) -> None:
        """A pg_dump archive that `pg_restore --list` reads and that holds this application's alembic_version."""
        if not backup_file.is_file():
            raise MaintenanceError(f"{backup_file} does not exist")
        pg_restore = shutil.which("pg_restore")
        if pg_restore is None:
            raise MaintenanceError("pg_restore is not installed: install the PostgreSQL client")
        listing = subprocess.run([pg_restore, "--list", str(backup_file)], capture_output=True, text=True)
        if listing.returncode != 0:
            raise MaintenanceError(f"{backup_file} is not a pg_dump archive: {listing.stderr.strip()[:200]}")
        if "alembic_version" not in listing.stdout:
            raise MaintenanceError(f"{backup_file} has no alembic_version table: not a backup of this application")

    def restore(self, url: str, backup_file: Path) -> None:
        """Empty the schema, then `pg_restore --single-transaction`."""
        self.verify_backup(url, backup_file)
        engine = sa.create_engine(url)
        try:
            with engine.begin() as connection:
                # pg_restore --clean cannot drop what the dump does not know; start from an empty schema.
                for table in sa.inspect(connection).get_table_names():
                    connection.exec_driver_sql(f'DROP TABLE IF EXISTS "{table}" CASCADE')
                for (name,) in connection.exec_driver_sql(
                    "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                    "WHERE n.nspname = current_schema() AND t.typtype = 'e'"
                ):
                    connection.exec_driver_sql(f'DROP TYPE IF EXISTS "{name}" CASCADE')
        finally:
            engine.dispose()
        process = subprocess.run(
            [shutil.which("pg_restore") or "pg_restore", "--no-owner", "--single-transaction", "--exit-on-error",
             f"--dbname={self._libpq_url(url)}", str(backup_file)],
            capture_output=True, text=True,
        )
        if process.returncode != 0:
            raise MaintenanceError(f"pg_restore failed: {process.stderr.strip()[:300]}")

    def integrity_check(self, url: str) -> CheckResult:
        """Indexes a failed CREATE INDEX CONCURRENTLY left invalid."""
        engine = sa.create_engine(url)
        try:
            with engine.connect() as connection:
                invalid = connection.exec_driver_sql(
                    "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE NOT i.indisvalid"
                ).scalars().all()
        except sa.exc.DBAPIError as exc:
            return CheckResult(False, [f"cannot connect to {describe_url(url)}: {exc.orig}"], "check DATABASE_URL")
        finally:
            engine.dispose()
        problems = [f"invalid index {name}" for name in invalid]
        return CheckResult(not problems, problems, "" if not problems else "REINDEX INDEX CONCURRENTLY each one named")

    def optimize(self, connection: Connection) -> str:
        """ANALYZE the whole database."""
        connection.exec_driver_sql("ANALYZE")
        return "ANALYZE"

    def table_stats(self, connection: Connection, *, exact_count_max_bytes: int) -> list[dict]:
        """Sizes and the last (auto)analyze from pg_stat_user_tables; rows counted up to `exact_count_max_bytes`."""
        stats = []
        rows = connection.exec_driver_sql(
            "SELECT relname, n_live_tup, pg_total_relation_size(relid), "
            "GREATEST(last_analyze, last_autoanalyze) FROM pg_stat_user_tables ORDER BY 3 DESC, 1"
        ).all()
        quote = connection.dialect.identifier_preparer.quote
        for name, live, size, analyzed in rows:
            exact = int(size) <= exact_count_max_bytes
            count = connection.exec_driver_sql(f"SELECT count(*) FROM {quote(name)}").scalar() if exact else live
            stats.append({"table": name, "rows": int(count), "rows_exact": exact, "bytes": int(size),
                          "last_analyze": analyzed.isoformat() if analyzed else None})
        return stats

    def index_stats(self, connection: Connection) -> list[dict]:
        """pg_stat_user_indexes: scans and size, least used first."""
        rows = connection.exec_driver_sql(
            "SELECT relname, indexrelname, idx_scan, pg_relation_size(indexrelid) FROM pg_stat_user_indexes "
            "ORDER BY idx_scan ASC, relname"
        ).all()
        return [{"table": t, "index": i, "scans": int(s), "bytes": int(b)} for t, i, s, b in rows]


MAINTENANCE: dict[str, type[Maintenance]] = {cls.name: cls for cls in (SQLiteMaintenance, PostgreSQLMaintenance)}


def maintenance_for(source: Any) -> Maintenance:
    """The maintenance class for a URL, a backend name, or a SQLAlchemy Connection or Engine."""
    return MAINTENANCE.get(backend_name(source), Maintenance)()


def backup(url: str, backup_dir: Path, *, keep: int) -> Path:
    """Back up the database to `backup_dir` and keep only the newest `keep` backups."""
    return maintenance_for(url).backup(url, backup_dir, keep=keep)


def verify_backup(url: str, backup_file: Path) -> None:
    """Check a backup file before restoring it; raise MaintenanceError when it is unusable."""
    maintenance_for(url).verify_backup(url, backup_file)


def restore(url: str, backup_file: Path) -> None:
    """Replace the database's contents with a verified backup (one transaction on PostgreSQL)."""
    maintenance_for(url).restore(url, backup_file)


def integrity_check(url: str) -> CheckResult:
    """Run the backend's integrity checks and say what to do when they fail."""
    return maintenance_for(url).integrity_check(url)


def optimize(connection: Connection) -> str:
    """Refresh planner statistics: ANALYZE on PostgreSQL, PRAGMA optimize on SQLite."""
    return maintenance_for(connection).optimize(connection)


def table_stats(connection: Connection, *, exact_count_max_bytes: int = EXACT_COUNT_MAX_BYTES) -> list[dict]:
    """Per table: rows (`rows_exact` says whether counted or estimated), bytes, and when statistics were gathered."""
    return maintenance_for(connection).table_stats(connection, exact_count_max_bytes=exact_count_max_bytes)


def index_stats(connection: Connection) -> list[dict]:
    """Per index: its table and, on PostgreSQL, how often it was scanned."""
    return maintenance_for(connection).index_stats(connection)


def slowest_statements(log_file: Path, limit: int = 10) -> list[dict]:
    """The slowest statements recorded in the slow-query log file, slowest first."""
    if not log_file.exists():
        return []
    entries = []
    for line in log_file.read_text().splitlines():
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    best: dict[str, dict] = {}
    for entry in entries:
        key = entry.get("statement", "")
        if key not in best or entry.get("duration_ms", 0) > best[key].get("duration_ms", 0):
            best[key] = entry
    return sorted(best.values(), key=lambda e: -e.get("duration_ms", 0))[:limit]
