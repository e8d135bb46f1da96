"""The schema engine stands alone: `quantum.schema_engine` imports nothing from the product around it (issue 13).

The rule is an import-linter contract (`.importlinter`), run here with `lint-imports`, so it holds in
the default test run and in CI. The import-linter contract sees static imports (also those inside
functions); a fresh interpreter importing the engine shows nothing else sneaks in at run time.
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONTRACT = "importlinter:contract:schema-engine-stands-alone"
ENGINE_MODULES = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for path in (ROOT / "quantum" / "schema_engine").rglob("*.py")
)


def _lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / ".importlinter"), "--no-cache"],
        cwd=root, env={**os.environ, "PYTHONPATH": str(root)}, capture_output=True, text=True, timeout=300,
    )


def test_lint_imports_keeps_the_engine_contract() -> None:
    """`lint-imports` passes: no module under quantum/schema_engine imports a product package."""
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " kept, 0 broken" in result.stdout, result.stdout
    assert "quantum.schema_engine imports nothing from the product's other packages KEPT" in result.stdout, result.stdout


def test_the_contract_forbids_every_other_part_of_the_product() -> None:
    """Every top-level module and package of `quantum` but `schema_engine` is forbidden, so a new one cannot slip by."""
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    forbidden = set(config[CONTRACT]["forbidden_modules"].split())
    package = ROOT / "quantum"
    present = {
        f"quantum.{path.stem}"
        for path in package.iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path.is_dir() and (path / "__init__.py").exists())
    }
    assert forbidden == present - {"quantum.schema_engine"}, f"not forbidden: {present - forbidden - {'quantum.schema_engine'}}"


def test_the_contract_catches_an_import_of_domain_code(tmp_path: Path) -> None:
    """The same contract on a copy of the package with one domain import added to the engine: broken."""
    shutil.copytree(ROOT / "quantum", tmp_path / "quantum", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    drift = tmp_path / "quantum" / "schema_engine" / "drift.py"
    drift.write_text(drift.read_text() + "\n\ndef _users():\n    from quantum.auth.models import User\n\n    return User\n")
    result = _lint(tmp_path)
    assert result.returncode != 0, result.stdout
    assert "quantum.schema_engine.drift -> quantum.auth.models" in result.stdout, result.stdout


def test_importing_the_engine_loads_no_product_module() -> None:
    """A fresh interpreter importing every engine module has loaded nothing of `quantum` outside `quantum.schema_engine`."""
    code = (
        "import importlib, sys\n"
        f"for name in {ENGINE_MODULES!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.startswith('quantum.') and not m.startswith('quantum.schema_engine')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", result.stdout
