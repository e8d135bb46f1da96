"""Mutation testing (mutmut) on the money, auth and schema-engine modules: a score per module and its survivors.

    .venv/bin/python tools/mutation.py                 # every group
    .venv/bin/python tools/mutation.py trading auth    # some groups
    make mutation GROUPS="drift gate"

Each group mutates its own modules and runs only its own tests, in a scratch copy of the repository
(build/mutation/<group>), so groups never share mutmut's state and the working tree is never touched.
A surviving mutant counts as "wording" when it only changes the text of a sentence (a string literal
with a space in it: a message a person reads, which no behaviour depends on), and as "equivalent" when
tools/mutation_equivalents.toml lists it with the reason (or as killed, kind "postgresql", when the list
says the PostgreSQL half of the tests catches it). The score is
(killed + timeout + wording + equivalent) / all mutants; "no tests" mutants count against it.
Exit status 1 when a module is below its target (docs/testing.md).
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tokenize
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "mutation"
EQUIVALENTS = ROOT / "tools" / "mutation_equivalents.toml"
# What the tests read besides quantum/ and tests/ (the migration history, the WSGI entry point, the pins).
ALSO_COPY = ["migrations", "wsgi.py", "gunicorn.conf.py", "setup.cfg", "pyproject.toml", "requirements.txt"]
KILLED_STATUSES = {"killed", "timeout"}


@dataclass(frozen=True)
class Group:
    """Modules mutated together and the tests that are meant to catch them."""

    modules: tuple[str, ...]
    tests: tuple[str, ...]
    target: float
    # Code with a PostgreSQL-only branch (locking inserts, error codes) runs the PostgreSQL half too.
    postgres: bool = False
    # When a module also holds code that belongs to no group (the schema engine's backend classes in
    # quantum/schema_engine/ddl/), only the mutants matching these patterns (fnmatch, as --only) are run
    # and scored; empty: every mutant of the group's modules.
    mutants: tuple[str, ...] = ()


GROUPS: dict[str, Group] = {
    "trading": Group(("quantum/trading/service.py", "quantum/core/money.py"), ("tests/trading",), 90.0),
    "transactions": Group(
        ("quantum/db/unit_of_work.py", "quantum/cash/locks.py"),
        ("tests/test_unit_of_work.py", "tests/trading"),
        90.0,
        postgres=True,
    ),
    # The archive tests read snapshots back through the portfolio service after archival.
    "portfolio": Group(("quantum/portfolio/service.py",), ("tests/portfolio", "tests/archive"), 90.0),
    "auth": Group(
        ("quantum/auth/tokens.py", "quantum/auth/decorators.py", "quantum/auth/jwtverify.py",
         "quantum/auth/adapters/jwt_extended.py", "quantum/auth/adapters/flask_limiter.py"),
        ("tests/auth",),
        90.0,
    ),
    "drift": Group(
        ("quantum/schema_engine/drift.py",),
        (
            "tests/db/test_drift_objects.py",
            "tests/db/test_drift_rules.py",
            "tests/db/test_enum_checks.py",
        ),
        80.0,
    ),
    # The gate and the catalog lookups and type-change rules it asks each backend class for.
    "gate": Group(
        ("quantum/schema_engine/gate.py", "quantum/schema_engine/ddl/sqlite.py", "quantum/schema_engine/ddl/postgresql.py"),
        ("tests/db/test_gate.py", "tests/db/test_gate_rules.py", "tests/db/test_backends.py"),
        80.0,
        postgres=True,
        mutants=(
            "quantum.schema_engine.gate.*",
            *(f"quantum.schema_engine.ddl.{module}.xǁ{cls}ǁ{method}__mutmut_*"
              for module, cls in (("sqlite", "SQLiteBackend"), ("postgresql", "PostgreSQLBackend"))
              for method in ("has_rows", "table_exists", "type_exists", "is_enum_type", "column_catalog",
                             "lossless_type_change")),
            "quantum.schema_engine.ddl.sqlite.x_sqlite_affinity__mutmut_*",
            "quantum.schema_engine.ddl.postgresql.x__length__mutmut_*",
        ),
    ),
}


@dataclass
class ModuleScore:
    """Mutant counts for one module."""

    module: str
    target: float
    counts: dict[str, int] = field(default_factory=dict)
    survivors: list[tuple[str, str]] = field(default_factory=list)  # (mutant, diff)

    @property
    def total(self) -> int:
        """Every mutant of the module, skipped ones excluded."""
        return sum(n for status, n in self.counts.items() if status != "skipped")

    @property
    def caught(self) -> int:
        """Mutants a test caught, plus those that only reword a message or are listed as equivalent."""
        caught = (*KILLED_STATUSES, "postgresql", "wording", "equivalent")
        return sum(self.counts.get(status, 0) for status in caught)

    @property
    def score(self) -> float:
        """Percentage of mutants caught (100 when the module has none)."""
        return 100.0 * self.caught / self.total if self.total else 100.0


def scratch_copy(name: str, group: Group) -> Path:
    """A fresh copy of the repository's code and the group's tests, with the group's mutmut settings."""
    workdir = WORK / name
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache")
    shutil.copytree(ROOT / "quantum", workdir / "quantum", ignore=ignore)
    shutil.copytree(ROOT / "tests", workdir / "tests", ignore=ignore)
    for extra in ALSO_COPY:
        source = ROOT / extra
        if source.is_dir():
            shutil.copytree(source, workdir / extra, ignore=ignore)
        elif source.exists():
            shutil.copy2(source, workdir / extra)
    for module in group.modules:
        undecorate_units_of_work(workdir / module)
    tests = [test for test in group.tests if (ROOT / test).exists()]
    settings = [
        "",
        "[mutmut]",
        "source_paths = quantum",
        "only_mutate =\n" + "".join(f"    {module}\n" for module in group.modules),
        "also_copy =\n" + "".join(f"    {extra}\n" for extra in ALSO_COPY if (ROOT / extra).exists()),
        "pytest_add_cli_args_test_selection =\n" + "".join(f"    {test}\n" for test in tests),
        # SQLite runs only, unless the group has PostgreSQL-only branches: elsewhere the in-process tests
        # reach every line the PostgreSQL runs reach, in a tenth of the time. Tests marked slow start
        # processes that import the installed, unmutated package anyway.
        "pytest_add_cli_args =\n    -m\n    " + ("not slow" if group.postgres else "not postgres and not slow") + "\n",
        # A mutant that loops (a bound flipped) is stopped at 5x its tests' clean time plus 10 s.
        "timeout_multiplier = 5.0",
        "timeout_constant = 10.0",
        "use_git_change_detection = false",
    ]
    with (workdir / "setup.cfg").open("a") as config:
        config.write("\n".join(settings) + "\n")
    return workdir


def _is_unit_of_work(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Name) and target.id == "unit_of_work"


def undecorate_units_of_work(path: Path) -> None:
    """Apply `@unit_of_work` by an assignment after the function instead: the same binding, but mutated.

    mutmut leaves every decorated function alone, which would take the services' transactions (an
    order's fill, a deposit) out of the score. `f = unit_of_work(f)` after `def f` is what the
    decorator does, so only the mutants differ from the real module.
    """
    source = path.read_text()
    lines = source.splitlines(keepends=True)
    functions = [
        node for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef) and len(node.decorator_list) == 1 and _is_unit_of_work(node.decorator_list[0])
    ]
    for node in reversed(functions):  # from the bottom, so earlier line numbers stay valid
        decorator = node.decorator_list[0]
        lines.insert(node.end_lineno, f"{node.name} = {ast.get_source_segment(source, decorator)}({node.name})\n")
        del lines[decorator.lineno - 1:decorator.end_lineno]
    path.write_text("".join(lines))


def mutmut(workdir: Path, *args: str, capture: bool = True) -> str:
    """Run one mutmut command in a scratch copy."""
    command = [str(Path(sys.executable).parent / "mutmut"), *args]
    environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(command, cwd=workdir, env=environment, text=True, capture_output=capture)
    if result.returncode != 0:
        detail = (result.stdout or "")[-2000:] + (result.stderr or "")[-2000:] if capture else ""
        raise SystemExit(f"mutmut {' '.join(args)} failed in {workdir} (exit {result.returncode})\n{detail}")
    return result.stdout if capture else ""


def string_only_change(diff: str) -> bool:
    """Whether a mutant only rewrites a sentence (a string literal with a space), nothing a program reads."""
    removed = [line[1:] for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line[1:] for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    if len(removed) != 1 or len(added) != 1:
        return False
    try:
        before, after = tokens_of(removed[0]), tokens_of(added[0])
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return False
    if len(before) != len(after):
        return False
    changed = [(old, new) for old, new in zip(before, after, strict=True) if old.string != new.string]
    if not changed:
        return False
    for old, new in changed:
        if not is_sentence_literal(old) or not is_sentence_literal(new):
            return False
    return True


def tokens_of(line: str) -> list[tokenize.TokenInfo]:
    """The tokens of one line of a statement that may span lines (its open brackets closed for the tokenizer)."""
    text = line.strip()
    opened = sum(text.count(c) for c in "([{") - sum(text.count(c) for c in ")]}")
    tokens = list(tokenize.generate_tokens(io.StringIO(text + ")" * max(opened, 0) + "\n").readline))
    return tokens[: len(tokens) - max(opened, 0) - 2] if opened > 0 else tokens


def is_sentence_literal(token: tokenize.TokenInfo) -> bool:
    """A string literal (or f-string part) holding words separated by spaces."""
    sentence_tokens = {tokenize.STRING}
    for name in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END"):
        if hasattr(tokenize, name):
            sentence_tokens.add(getattr(tokenize, name))
    return token.type in sentence_tokens and " " in token.string.strip()


def load_equivalents() -> dict[str, str]:
    """Listed survivors and how each counts: "equivalent", or "postgresql" (caught by the PostgreSQL half)."""
    if not EQUIVALENTS.exists():
        return {}
    return {name: entry.get("kind", "equivalent") for name, entry in tomllib.loads(EQUIVALENTS.read_text()).items()}


MUTANT_LINE = re.compile(r"^\s*(?P<name>[\w.]+__mutmut_\d+): (?P<status>.+)$")


def module_of(mutant: str) -> str:
    """The file a mutant name belongs to (quantum.trading.service.x_f__mutmut_3 → quantum/trading/service.py)."""
    dotted = mutant.rsplit(".", 1)[0]
    return dotted.replace(".", "/") + ".py"


def run_group(
    name: str, group: Group, max_children: int, equivalents: dict[str, str], only: list[str]
) -> list[ModuleScore]:
    """Mutate one group's modules, run its tests against every mutant, and score each module."""
    workdir = scratch_copy(name, group)
    only = only or list(group.mutants)
    started = time.monotonic()
    print(f"== {name}: mutating {', '.join(group.modules)}; tests {', '.join(group.tests)}", flush=True)
    # mutmut draws spinners: live on a terminal; in a log, only its last lines.
    interactive = sys.stdout.isatty()
    output = mutmut(workdir, "run", "--max-children", str(max_children), *only, capture=not interactive)
    if not interactive:
        print("\n".join(output.replace("\r", "\n").splitlines()[-4:]), flush=True)
    print(f"== {name}: {time.monotonic() - started:.0f} s", flush=True)
    scores = {module: ModuleScore(module, group.target) for module in group.modules}
    for line in mutmut(workdir, "results", "--all", "true").splitlines():
        match = MUTANT_LINE.match(line)
        if not match:
            continue
        mutant, status = match["name"], match["status"].strip()
        score = scores.get(module_of(mutant))
        if score is None or (only and not any(fnmatch.fnmatch(mutant, pattern) for pattern in only)):
            continue
        if status not in KILLED_STATUSES and status != "skipped":
            if mutant in equivalents:
                status = equivalents[mutant]
            else:
                diff = mutmut(workdir, "show", mutant)
                if status == "survived" and string_only_change(diff):
                    status = "wording"
                else:
                    score.survivors.append((mutant, diff))
        score.counts[status] = score.counts.get(status, 0) + 1
    return list(scores.values())


def report(scores: list[ModuleScore], show_diffs: bool) -> bool:
    """Print the score table and the survivors; whether every module meets its target."""
    print()
    print(f"{'module':40} {'mutants':>7} {'killed':>6} {'wording':>7} {'equiv':>5} {'left':>5} {'score':>6} target")
    all_met = True
    for score in scores:
        left = score.total - score.caught
        met = score.score >= score.target
        all_met &= met
        print(
            f"{score.module:40} {score.total:7} "
            f"{sum(score.counts.get(s, 0) for s in (*KILLED_STATUSES, 'postgresql')):6} "
            f"{score.counts.get('wording', 0):7} {score.counts.get('equivalent', 0):5} {left:5} "
            f"{score.score:5.1f}% {score.target:.0f}%{'' if met else '  BELOW TARGET'}"
        )
    for score in scores:
        for mutant, diff in score.survivors:
            print(f"\n-- survived: {mutant}")
            if show_diffs:
                print("\n".join(line for line in diff.splitlines()[1:] if line.startswith(("+", "-", "@"))))
    return all_met


def main() -> int:
    """Run the chosen groups and print their scores."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("groups", nargs="*", help=f"groups to run (default: all of {', '.join(GROUPS)})")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--no-diffs", action="store_true", help="name the survivors without their diffs")
    parser.add_argument("--json", type=Path, help="also write the scores to this file")
    parser.add_argument("--only", action="append", default=[], metavar="PATTERN",
                        help="run only the mutants whose names match (fnmatch), e.g. 'quantum.trading.service.x_place_order*'")
    options = parser.parse_args()
    unknown = [name for name in options.groups if name not in GROUPS]
    if unknown:
        parser.error(f"unknown group {', '.join(unknown)}; choose from {', '.join(GROUPS)}")
    equivalents = load_equivalents()
    scores: list[ModuleScore] = []
    for name in options.groups or list(GROUPS):
        scores.extend(run_group(name, GROUPS[name], options.max_children, equivalents, options.only))
    all_met = report(scores, show_diffs=not options.no_diffs)
    if options.json:
        payload = [
            {"module": s.module, "score": round(s.score, 1), "target": s.target, **s.counts} for s in scores
        ]
        options.json.write_text(json.dumps(payload, indent=2) + "\n")
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main())
