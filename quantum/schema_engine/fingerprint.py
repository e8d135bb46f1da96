"""Fingerprints of a validated schema: one of the code that defines it, one of the database catalog.

After `ensure_schema` has validated a database with no findings, it records both (table
`schema_fingerprint`). When both still match, nothing that could change the outcome of that
validation has changed, so `flask db-ensure` can report "noop" without importing the models,
SQLAlchemy and Alembic (see `quantum.schema_engine.quick`). Standard library only, for the same reason.

* The code fingerprint hashes every project source file that was imported when the schema was
  validated (the models, the types and constants they use, the engine), every file of the
  migrations directory, the Python version and the installed distributions (name and version).
* The catalog fingerprint hashes the database's own description of the schema: every table,
  column (type, nullability, default), index, constraint and enum type, plus the contents of the
  version table and the revision ledger. The fingerprint table itself is left out.
"""

from __future__ import annotations

import hashlib
import site
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

FINGERPRINT_TABLE = "schema_fingerprint"

# Each query returns rows that describe one part of the schema, in a stable order.
# SQLite's own objects (sqlite_sequence, sqlite_stat1 from ANALYZE, autoindexes) come and go with the
# data; every constraint they stand for is already in its table's CREATE statement.
_SQLITE_CATALOG = (
    "SELECT type, name, tbl_name, COALESCE(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
    "ORDER BY type, name",
)
_POSTGRESQL_CATALOG = (
    # Tables, views and their columns: name, type with length/precision, NOT NULL, default.
    """SELECT c.relname, c.relkind, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
              COALESCE(pg_get_expr(d.adbin, d.adrelid), '')
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
       WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
       ORDER BY c.relname, a.attnum""",
    # Indexes, with their full definition (columns, uniqueness, predicate).
    "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
    "ORDER BY tablename, indexname",
    # Primary keys, foreign keys, unique and check constraints.
    """SELECT cl.relname, co.conname, co.contype, pg_get_constraintdef(co.oid)
       FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid
       JOIN pg_namespace n ON n.oid = co.connamespace
       WHERE n.nspname = current_schema() ORDER BY cl.relname, co.conname""",
    # Enum types and their labels in order.
    """SELECT t.typname, e.enumsortorder, e.enumlabel
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
       WHERE n.nspname = current_schema() ORDER BY t.typname, e.enumsortorder""",
)

Execute = Callable[[str], Sequence[Sequence[object]]]


def project_files(root: Path) -> list[str]:
    """The source files under `root` of every module imported so far, relative to `root`."""
    root = root.resolve()
    files = set()
    for module in list(sys.modules.values()):
        filename = getattr(module, "__file__", None)
        if not filename or not filename.endswith(".py"):
            continue
        path = Path(filename).resolve()
        if path.is_relative_to(root) and ".venv" not in path.parts and "site-packages" not in path.parts:
            files.add(path.relative_to(root).as_posix())
    return sorted(files)


def _installed_distributions() -> list[str]:
    names: set[str] = set()
    for directory in {*site.getsitepackages(), site.getusersitepackages()}:
        folder = Path(directory)
        if folder.is_dir():
            names.update(p.name for p in folder.iterdir() if p.name.endswith(".dist-info"))
    return sorted(names)


def code_fingerprint(root: Path, files: Iterable[str], migrations_dir: Path) -> str:
    """Hash the listed source files, the migrations directory, Python and the installed packages.

    Raises FileNotFoundError when a listed file is gone (the code changed shape: validate again).
    """
    digest = hashlib.sha256()
    digest.update(sys.version.encode())
    for name in _installed_distributions():
        digest.update(name.encode() + b"\0")
    migration_files = sorted(
        p for p in migrations_dir.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )
    # Names relative to their folder, so that the same release built elsewhere hashes the same.
    named = [(f, root / f) for f in sorted(files)]
    named += [("migrations/" + p.relative_to(migrations_dir).as_posix(), p) for p in migration_files]
    for name, path in named:
        digest.update(name.encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def catalog_fingerprint(execute: Execute, backend: str, *, version_table: str, ledger_table: str) -> str:
    """Hash the database's description of its schema and its revision bookkeeping."""
    queries = _SQLITE_CATALOG if backend == "sqlite" else _POSTGRESQL_CATALOG
    digest = hashlib.sha256()
    tables: set[str] = set()
    for query in queries:
        for row in execute(query):
            if FINGERPRINT_TABLE in (row[0], row[1]) or (backend == "sqlite" and row[2] == FINGERPRINT_TABLE):
                continue
            tables.add(str(row[1] if backend == "sqlite" else row[0]))
            digest.update(repr(tuple(row)).encode() + b"\n")
    # The bookkeeping contents: which revision the database is at, and which files built it.
    if version_table in tables:
        for row in execute(f"SELECT version_num FROM {version_table} ORDER BY version_num"):
            digest.update(b"version " + repr(tuple(row)).encode() + b"\n")
    if ledger_table in tables:
        for row in execute(f"SELECT revision, checksum FROM {ledger_table} ORDER BY revision"):
            digest.update(b"ledger " + repr(tuple(row)).encode() + b"\n")
    return digest.hexdigest()


def create_table_sql() -> str:
    """DDL of the fingerprint table (one row per schema namespace)."""
    return (
        f"CREATE TABLE IF NOT EXISTS {FINGERPRINT_TABLE} ("
        "namespace VARCHAR(64) PRIMARY KEY, revision VARCHAR(64), code_fingerprint VARCHAR(64) NOT NULL, "
        "catalog_fingerprint VARCHAR(64) NOT NULL, files TEXT NOT NULL, validated_at VARCHAR(40) NOT NULL)"
    )


def read_record(execute: Execute, namespace: str) -> dict[str, str] | None:
    """The recorded fingerprints for `namespace`, or None."""
    rows = execute(f"SELECT namespace, revision, code_fingerprint, catalog_fingerprint, files FROM {FINGERPRINT_TABLE}")
    for row in rows:
        if row[0] == namespace:
            return {"revision": row[1], "code": row[2], "catalog": row[3], "files": row[4]}
    return None
