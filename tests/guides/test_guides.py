"""The guides are tests: every runnable block of README.md and docs/*.md runs as shown, on a fresh server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.guides.compare import compare_json_text, compare_text, mask
from tests.guides.markdown import GuideFormatError, parse_guide
from tests.guides.runner import GUIDE_URL, ROOT, run_guide, serve_recipe

# Reference pages whose shell blocks are for developers (benchmarks that run for minutes, test
# commands); they are not walkthroughs. Any other Markdown file with a `sh` block is a guide.
REFERENCE_DOCS = {
    "docs/PERFORMANCE.md": "benchmark commands that seed a 1 GB dataset and run for minutes",
    "docs/schema-engine-tests.md": "pytest invocations of the schema engine's suites",
    "docs/testing.md": "the commands that run the suite and the mutation tests, which run this file",
    "docs/schema-engine.md": "another app's commands, in its own environment; tests/db/test_engine_example.py runs them",
}
PASSWORD = "correct-horse-42"


def _documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _guides() -> list[Path]:
    # Found by text, not parsed, so that a badly marked guide fails its tests instead of the collection.
    return [path for path in _documents()
            if str(path.relative_to(ROOT)) not in REFERENCE_DOCS and re.search(r"^\s*```sh\s*$", path.read_text(), re.M)]


GUIDES = _guides()


def test_the_guides_are_found_and_parse():
    names = {str(path.relative_to(ROOT)) for path in GUIDES}
    assert {"README.md", "docs/auth.md", "docs/trading.md", "docs/ai.md", "docs/api-in-the-browser.md"} <= names
    for name in REFERENCE_DOCS:
        assert (ROOT / name).exists(), f"{name} is listed as a reference page but does not exist"
    for path in GUIDES:
        assert parse_guide(path).steps, f"{path.name}: every sh block is skipped; list it in REFERENCE_DOCS instead"


def test_the_guides_call_the_venv_explicitly_and_use_one_address_and_one_password():
    bare = re.compile(r"(?:^|[;&|(]|\$\()\s*(?:[A-Z_]+=\S*\s+)*(flask|gunicorn|pytest|pip|alembic|schemathesis)\b", re.M)
    registered: dict[str, str] = {}
    for path in GUIDES:
        text = path.read_text()
        name = str(path.relative_to(ROOT))
        assert "localhost:8000" not in text, f"{name}: use {GUIDE_URL}, the one address the guides use"
        for step in parse_guide(path).steps:
            where = f"{name}:{step.line}"
            found = bare.search(step.code)
            assert not found, f"{where}: `{found.group(1)}` assumes an activated venv; write .venv/bin/{found.group(1)}"
            for url in re.findall(r"https?://[^\s'\"/]+", step.code):
                assert url == GUIDE_URL, f"{where}: {url}; the guides use {GUIDE_URL} only"
            assert step.code.count(GUIDE_URL) == len(re.findall(r"^BASE=" + re.escape(GUIDE_URL) + "$", step.code, re.M)), (
                f"{where}: write the address once, as BASE={GUIDE_URL}, and use $BASE"
            )
            for password in re.findall(r'"password":\s*"([^"]*)"|--password[ =](\S+)', step.code):
                assert PASSWORD in password, f"{where}: the guides use one password, {PASSWORD}"
            for email in re.findall(r"/api/auth/register.*?\"email\":\s*\"([^\"]+)\"|users create (\S+@\S+)",
                                    step.code, re.S):
                email = "".join(email)
                assert registered.setdefault(email, name) == name, (
                    f"{where}: {email} is registered by {registered[email]} too; guides run one after another on"
                    " one server must not register the same user"
                )


def test_the_runner_starts_the_server_the_way_make_serve_does():
    recipe = serve_recipe()
    assert recipe[0] == "$(VENV)/bin/flask db-ensure"
    # quantum.serve checks the gunicorn settings from the environment, then execs gunicorn with these arguments.
    assert recipe[-1].startswith("$(PY) -m quantum.serve wsgi:app -c gunicorn.conf.py")


@pytest.mark.slow
@pytest.mark.parametrize("path", GUIDES, ids=[str(p.relative_to(ROOT)) for p in GUIDES])
def test_guide_runs_as_shown(path, tmp_path):
    run = run_guide(parse_guide(path), base=tmp_path)
    if run.failures or len(run.results) != len(run.guide.steps):
        pytest.fail(f"{len(run.failures)} step(s) of {path.name} differ from what it shows:\n\n{run.report()}"
                    f"\n\nserver log (end):\n{run.server_log[-3000:]}", pytrace=False)
    assert "Traceback" not in run.server_log, run.server_log[-5000:]


DOCTORED_TAIL = f"""
A step whose shown status is wrong (the server answers 401):

```sh
curl -s $BASE/api/auth/me
```
<!-- guide: output status=200 -->
```json
{{"error": "missing_credentials", ...}}
```

A step that fails quietly in the middle (no output shown, but a command exits 1):

```sh
false
echo done
```

A step whose object shows fewer keys than the answer has, without `...`:

```sh
curl -s $BASE/api/health
```
<!-- guide: output -->
```json
{{}}
```

A command line step whose text changed:

```sh
.venv/bin/flask market sample-bars - --days 2 --symbols AAPL
```
<!-- guide: output -->
```text
symbol,ts,open,high,low,close,volume
MSFT,2024-01-02,...
MSFT,2024-01-03,...
```

A step that passes, after all of that:

```sh
curl -s {GUIDE_URL}/api/health
```
<!-- guide: output -->
```json
{{"status": "ok"}}
```
"""


@pytest.mark.slow
def test_a_doctored_guide_fails(tmp_path):
    """The runner fails when what a guide shows stops matching: README's own step, edited, and broken steps."""
    readme = (ROOT / "README.md").read_text()
    assert '"schema": "valid"' in readme
    doctored = readme.replace('"schema": "valid"', '"schema": "drifted"', 1) + DOCTORED_TAIL
    guide = parse_guide(tmp_path / "README.md", doctored)
    run = run_guide(guide, base=tmp_path)
    failures = {result.step.line: result.problems for result in run.failures}
    steps = [result.step for result in run.results]
    doctored_step = next(s for s in steps if "/api/health/ready" in s.code)
    tail = [s for s in steps if s.line > doctored_step.line and s.line > readme.count("\n")]
    assert len(tail) == 5
    assert set(failures) == {doctored_step.line, *(s.line for s in tail[:4])}, run.report()
    assert failures[doctored_step.line] == ["$.schema: shown 'drifted', got 'valid'"]
    assert failures[tail[0].line] == ["curl call 1 answered 401, the guide shows 200"]
    assert failures[tail[1].line] == ["a command failed: line 1: false (exit 1)"]
    assert "keys the guide does not show" in failures[tail[2].line][0]
    assert "the output differs" in failures[tail[3].line][0]
    assert _processes_under(tmp_path) == [], "the runner left processes running"


def _processes_under(directory: Path) -> list[str]:
    """Processes whose working directory is inside `directory` (gunicorn, bash, curl of a guide run)."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cwd = Path(proc / "cwd").readlink()
        except OSError:
            continue
        if str(cwd).startswith(str(directory)):
            found.append(f"{proc.name} {cwd}")
    return found


# --- the comparison and the marking, without a server -----------------------------------------------------------


def test_json_objects_without_an_ellipsis_show_every_key():
    assert compare_json_text('{"a": 1}', '{"a": 1}') == []
    assert compare_json_text('{"a": 1, ...}', '{"a": 1, "b": 2}') == []
    assert compare_json_text('{"a": 1}', '{"a": 1, "b": 2}') == [
        "$: keys the guide does not show (add them or a `...`): b"
    ]
    assert compare_json_text('{"a": 1, ...}', '{"a": 2, "b": 2}') == ["$.a: shown 1, got 2"]
    assert compare_json_text('{"a": 1, "c": ...}', '{"a": 1}') == ["$.c: missing"]


def test_json_arrays_strings_and_masks():
    assert compare_json_text('[1, ...]', "[1, 2, 3]") == []
    assert compare_json_text("[1, 2]", "[1, 2, 3]") == ["$: 3 elements, the guide shows 2"]
    assert compare_json_text('{"t": "eyJ..."}', '{"t": "eyJhbGciOi.eyJzdWIi.c2ln"}') == []
    assert compare_json_text('{"t": "abc..."}', '{"t": "abd"}') == ["$.t: 'abd' does not start with 'abc'"]
    assert compare_json_text('{"at": "2026-11-22T03:32:03.934974+00:00"}', '{"at": "2027-01-01T00:00:00Z"}') == []
    assert compare_json_text('{"k": "ql_0123abcd_..."}', '{"k": "ql_9f8e7d6c_' + "A" * 40 + '"}') == []
    assert compare_json_text('{"latency_ms": 1.5}', '{"latency_ms": 7}') == []
    assert compare_json_text('{"n": 1.5}', '{"n": 7}') == ["$.n: shown 1.5, got 7"]
    assert compare_json_text('{"a": true}', '{"a": 1}') == ["$.a: shown true, got 1"]
    assert compare_json_text('{"a": 1} {"b": 2}', '{"a": 1}\n{"b": 2}\n') == []
    assert "printed 1 JSON value(s)" in compare_json_text('{"a": 1} {"b": 2}', '{"a": 1}')[0]
    assert "not JSON" in compare_json_text('{"a": 1}', "<html>")[0]


def test_text_lines_with_ellipses():
    assert compare_text("a\n...\nz\n", "a\nb\nc\nz\n") == []
    assert compare_text("a ... c\n", "a b c\n") == []
    assert compare_text("imported 3 bar(s)\n", "imported 4 bar(s)\n") != []
    assert mask("at 2024-01-03T00:00:00+00:00 on 2024-01-03") == "at <time> on <date>"


def test_markers_are_checked(tmp_path):
    path = tmp_path / "g.md"
    guide = parse_guide(path, "```sh\necho hi\n```\n<!-- guide: output status=201,401 exit=1 -->\n```text\nhi\n```\n")
    assert guide.steps[0].output.statuses == (201, 401) and guide.steps[0].output.exit_code == 1
    assert parse_guide(path, "<!-- guide: skip: needs root -->\n```sh\napt-get install x\n```\n").skipped == [
        (2, "needs root")
    ]
    with pytest.raises(GuideFormatError, match="without a marker"):
        parse_guide(path, "```sh\necho hi\n```\n\n```json\n{}\n```\n")
    with pytest.raises(GuideFormatError, match="does not follow"):
        parse_guide(path, "Text.\n<!-- guide: output -->\n```json\n{}\n```\n")
    with pytest.raises(GuideFormatError, match="unknown marker"):
        parse_guide(path, "<!-- guide: expected -->\n```sh\necho hi\n```\n")
    with pytest.raises(GuideFormatError, match="unknown output option"):
        parse_guide(path, "```sh\necho hi\n```\n<!-- guide: output code=3 -->\n```text\nhi\n```\n")


def test_text_lines_that_show_json_are_compared_as_json():
    assert compare_text('created 2\n{"items": [{"id": 1, ...}]}\n', 'created 2\n{"items":[{"email":"a","id":1}]}\n') == []
    assert compare_text('created 2\n{"items": [{"id": 1, ...}]}\n', 'created 2\n{"items":[{"id":2}]}\n') != []
    assert compare_text('{\n  "paths": {\n', '{\n  "paths": {\n') == []
