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
  version table and the revision ledger. The fingerprint table itself is left out. Each backend
  names its catalog queries (`catalog_queries` in `quantum.schema_engine.ddl`).
"""

from __future__ import annotations

import hashlib
import site
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from quantum.schema_engine.ddl import Backend, backend_for

FINGERPRINT_TABLE = "schema_fingerprint"

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


def catalog_fingerprint(execute: Execute, backend: str | Backend, *, version_table: str, ledger_table: str) -> str:
    """Hash the database's description of its schema (the backend's catalog queries) and its revision bookkeeping."""
    rules = backend_for(backend)
    digest = hashlib.sha256()
    tables: set[str] = set()
    for query in rules.catalog_queries:
        for row in execute(query):
            if FINGERPRINT_TABLE in rules.catalog_mentions(row):
                continue
            tables.add(rules.catalog_object(row))
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
