"""Migration scripts: heads, pending revisions, checksums, and a lint for destructive steps."""

from __future__ import annotations

import ast
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from alembic.config import Config
from alembic.script import Script, ScriptDirectory

from quantum.db.errors import MultipleHeads

DESTRUCTIVE_SQL = re.compile(r"\b(DROP\s+TABLE|DROP\s+COLUMN|TRUNCATE|DELETE\s+FROM|DROP\s+TYPE|ALTER\s+TYPE)\b", re.I)


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


def pending_revisions(script: ScriptDirectory, current: str | None, head: str | None) -> list[Script]:
    """Revisions between `current` and `head`, oldest first."""
    if head is None or current == head:
        return []
    return list(reversed(list(script.iterate_revisions(head, current or "base"))))


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
    tree = ast.parse(Path(revision.path).read_text())
    upgrade = next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "upgrade"), None)
    if upgrade is None:
        return []
    batch_tables = _batch_table_names(upgrade)
    findings: list[LintFinding] = []
    for node in ast.walk(upgrade):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        name = node.func.attr
        owner = node.func.value.id if isinstance(node.func.value, ast.Name) else None
        table = batch_tables.get(owner) if owner in batch_tables else _str_arg(node, 0)
        args_after_table = 0 if owner in batch_tables else 1
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


def _batch_table_names(function: ast.FunctionDef) -> dict[str, str]:
    names: dict[str, str] = {}
    for node in ast.walk(function):
        if isinstance(node, ast.With):
            for item in node.items:
                call = item.context_expr
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr == "batch_alter_table"
                    and isinstance(item.optional_vars, ast.Name)
                ):
                    names[item.optional_vars.id] = _str_arg(call, 0) or "?"
    return names


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
    """Tables a revision's upgrade() names, so they can be ANALYZEd afterwards."""
    tree = ast.parse(Path(revision.path).read_text())
    upgrade = next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "upgrade"), None)
    if upgrade is None:
        return set()
    tables = set(_batch_table_names(upgrade).values())
    for node in ast.walk(upgrade):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"create_table", "add_column", "alter_column", "create_index", "bulk_insert"}
        ):
            name = _str_arg(node, 1 if node.func.attr == "create_index" else 0)
            if name:
                tables.add(name)
    return tables - {"?"}
