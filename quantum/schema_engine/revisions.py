"""Migration scripts: heads, pending revisions, checksums, and a lint for destructive steps."""

from __future__ import annotations

import ast
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from alembic.config import Config
from alembic.script import Script, ScriptDirectory

from quantum.schema_engine.errors import MultipleHeads

# The static lint is an early warning only; quantum.schema_engine.gate decides on what actually runs.
DESTRUCTIVE_SQL = re.compile(r"\b(DROP\s+TABLE|DROP\s+COLUMN|TRUNCATE|DELETE\s+FROM|DROP\s+TYPE)\b", re.I)
SCHEMA_SQL = re.compile(r"^\s*(CREATE|ALTER|DROP|COMMENT|GRANT|REVOKE)\b", re.I)


def alembic_config(script_location: str) -> Config:
    """An in-memory Alembic config for a script directory (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(script_location))
    return config


def single_head(script: ScriptDirectory) -> str | None:
    """The one head revision; MultipleHeads when the scripts branch."""
    heads = script.get_heads()
    if len(heads) > 1:
        raise MultipleHeads(
            f"the migration scripts have {len(heads)} heads ({', '.join(sorted(heads))}): "
            "merge them with `flask db merge heads` and redeploy"
        )
    return heads[0] if heads else None


def pending_revisions(script: ScriptDirectory, current: str | tuple[str, ...] | frozenset | None,
                      head: str | None) -> list[Script]:
    """Revisions between the database's heads (one, several, or none) and `head`, oldest first."""
    currents = _as_heads(current)
    if head is None or currents == {head}:
        return []
    applied = {rev.revision for c in currents for rev in revisions_up_to(script, c)}
    return [rev for rev in revisions_up_to(script, head) if rev.revision not in applied]


def _as_heads(current: str | tuple[str, ...] | frozenset | None) -> set[str]:
    if current is None:
        return set()
    if isinstance(current, str):
        return {current}
    return set(current)


def needs_autocommit(revision: Script) -> bool:
    """Whether a revision's module uses `autocommit_block()` (so it must run outside one transaction)."""
    tree = ast.parse(Path(revision.path).read_text())
    # upgrade() and any helper of the module it may call; downgrade() is not run by db-ensure.
    parts = [node for node in tree.body if not (isinstance(node, ast.FunctionDef) and node.name == "downgrade")]
    return any(isinstance(node, ast.Attribute) and node.attr == "autocommit_block"
               for part in parts for node in ast.walk(part))


ADD_ENUM_LABEL = re.compile(r"\bALTER\s+TYPE\s+\S+\s+ADD\s+VALUE\b", re.I)


def adds_enum_label(revision: Script) -> bool:
    """Whether a revision's source runs `ALTER TYPE ... ADD VALUE` (a later use needs a commit between)."""
    return bool(ADD_ENUM_LABEL.search(Path(revision.path).read_text()))


def data_steps(revision: Script) -> list[str]:
    """What a revision's upgrade() does beyond schema changes: SQL on rows, Core DML, sessions, bulk inserts."""
    upgrade = _upgrade_function(revision)
    if upgrade is None:
        return []
    steps: list[str] = []
    # `seed_data(op.get_bind())`: the idempotent reference data that adoption runs itself.
    seeded = {id(arg) for node in ast.walk(upgrade) if isinstance(node, ast.Call)
              and getattr(node.func, "id", None) == "seed_data" for arg in ast.walk(node)}
    for node in ast.walk(upgrade):
        if not isinstance(node, ast.Call) or id(node) in seeded:
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
        if name in {"bulk_insert", "exec_driver_sql", "Session", "insert", "update", "delete"}:
            steps.append(f"{name}() at line {node.lineno}")
        elif name == "execute":
            sql = _sql_constant(node.args[0]) if node.args else None
            if sql is None or not SCHEMA_SQL.match(sql):
                steps.append(f"execute() at line {node.lineno}")
    return list(dict.fromkeys(steps))


def _sql_constant(node: ast.AST) -> str | None:
    # op.execute("...") or op.execute(sa.text("...")) with a literal: anything else is opaque.
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
        return node.args[0].value if isinstance(node.args[0].value, str) else None
    return None


def _upgrade_function(revision: Script) -> ast.FunctionDef | None:
    tree = ast.parse(Path(revision.path).read_text())
    return next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "upgrade"), None)


def revisions_up_to(script: ScriptDirectory, revision: str | None) -> list[Script]:
    """Every revision from base to `revision` inclusive, oldest first."""
    if revision is None:
        return []
    return list(reversed(list(script.iterate_revisions(revision, "base"))))


def checksum(revision: Script) -> str:
    """SHA-256 of a revision file, line endings normalized."""
    data = Path(revision.path).read_bytes().replace(b"\r\n", b"\n")
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class LintFinding:
    """One destructive step found in a pending revision."""

    revision: str
    table: str | None
    detail: str
    needs_rows: bool = False  # destructive only when the table already holds rows

    def describe(self) -> str:
        """One line naming the revision and the step."""
        return f"{self.revision}: {self.detail}"


def lint_revision(revision: Script) -> list[LintFinding]:
    """Find drops, NOT NULL without default, and enum rewrites in a revision's upgrade()."""
    upgrade = _upgrade_function(revision)
    if upgrade is None:
        return []
    findings: list[LintFinding] = []
    for node, batch_table in _calls(upgrade):
        if not isinstance(node.func, ast.Attribute):
            continue
        name = node.func.attr
        table = batch_table if batch_table is not None else _str_arg(node, 0)
        args_after_table = 0 if batch_table is not None else 1
        if name == "drop_table":
            findings.append(LintFinding(revision.revision, table, f"drops table {table}"))
        elif name == "drop_column":
            column = _str_arg(node, args_after_table)
            findings.append(LintFinding(revision.revision, table, f"drops column {table}.{column}"))
        elif name == "alter_column":
            column = _str_arg(node, args_after_table)
            keywords = {k.arg: k.value for k in node.keywords}
            if _is_false(keywords.get("nullable")) and "server_default" not in keywords:
                findings.append(
                    LintFinding(revision.revision, table, f"sets NOT NULL without a default on {table}.{column}", True)
                )
            if "type_" in keywords and _mentions_enum(keywords.get("existing_type"), keywords["type_"]):
                findings.append(LintFinding(revision.revision, table, f"rewrites the enum of {table}.{column}"))
        elif name == "add_column":
            column_node = node.args[args_after_table] if len(node.args) > args_after_table else None
            if isinstance(column_node, ast.Call) and _not_null_without_default(column_node):
                column = _str_arg(column_node, 0)
                findings.append(
                    LintFinding(revision.revision, table, f"adds NOT NULL column {table}.{column} without a default", True)
                )
        elif name == "execute":
            text = _str_arg(node, 0) or ""
            match = DESTRUCTIVE_SQL.search(text)
            if match:
                findings.append(LintFinding(revision.revision, None, f"runs {match.group(1).upper()} in raw SQL"))
        elif name == "drop" and _mentions_enum(node.func.value, None):
            findings.append(LintFinding(revision.revision, None, "drops an enum type"))
    return findings


def _calls(function: ast.FunctionDef) -> list[tuple[ast.Call, str | None]]:
    """Every call in a function, with the real table of the batch_alter_table block it sits in.

    Attributed by the `with` block that encloses the call, never by the variable's name (every
    block calls it `batch_op`, so a name lookup would give every step to the last table).
    """
    found: list[tuple[ast.Call, str | None]] = []

    def visit(node: ast.AST, batch: dict[str, str]) -> None:
        if isinstance(node, ast.With):
            inner = dict(batch)
            for item in node.items:
                call = item.context_expr
                if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) \
                        and call.func.attr == "batch_alter_table" and isinstance(item.optional_vars, ast.Name):
                    inner[item.optional_vars.id] = _str_arg(call, 0) or "?"
                visit(call, batch)
            for statement in node.body:
                visit(statement, inner)
            return
        if isinstance(node, ast.Call):
            owner = node.func.value.id if isinstance(node.func, ast.Attribute) and isinstance(
                node.func.value, ast.Name) else None
            found.append((node, batch.get(owner) if owner is not None else None))
        for child in ast.iter_child_nodes(node):
            visit(child, batch)

    visit(function, {})
    return found


def _str_arg(call: ast.Call, index: int) -> str | None:
    if len(call.args) > index and isinstance(call.args[index], ast.Constant) and isinstance(call.args[index].value, str):
        return call.args[index].value
    return None


def _is_false(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def _mentions_enum(*nodes: ast.AST | None) -> bool:
    return any(node is not None and "Enum" in ast.unparse(node) for node in nodes)


def _not_null_without_default(column_call: ast.Call) -> bool:
    keywords = {k.arg: k.value for k in column_call.keywords}
    if "server_default" in keywords:
        return False
    return _is_false(keywords.get("nullable"))


def touched_tables(revision: Script) -> set[str]:
    """Tables a revision's upgrade() names (batch blocks by their real table), for ANALYZE afterwards."""
    upgrade = _upgrade_function(revision)
    if upgrade is None:
        return set()
    tables: set[str] = set()
    for node, batch_table in _calls(upgrade):
        if not isinstance(node.func, ast.Attribute):
            continue
        if node.func.attr == "batch_alter_table":
            tables.add(_str_arg(node, 0) or "?")
        elif node.func.attr in {"create_table", "add_column", "alter_column", "create_index", "bulk_insert"}:
            name = batch_table if batch_table is not None else _str_arg(node, 1 if node.func.attr == "create_index" else 0)
            if name:
                tables.add(name)
    return tables - {"?"}
