"""Run a guide as a reader would: a fresh checkout's server, then every step in one bash session.

The server is started the way `make serve` starts it (the recipe is read from the Makefile): in a
temporary directory that links the project's code, `.venv/bin/flask db-ensure` then gunicorn with
`gunicorn.conf.py` and several workers, in development mode with no `JWT_SECRET_KEY`. The
directory's own `instance/` holds the SQLite database and the development key, so every guide
starts from nothing. The steps run in one bash session in that directory (variables carry over
from step to step); `http://127.0.0.1:8000`, the one address the guides use, is replaced by the
server's port. A `curl` shell function records each call's HTTP status (the real curl runs, with
`-D` to a file), and an ERR trap records every command that fails.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.guides.compare import compare_json_text, compare_text
from tests.guides.markdown import Guide, Step

ROOT = Path(__file__).resolve().parents[2]
GUIDE_URL = "http://127.0.0.1:8000"
# What a checkout holds that the server and the guides' commands use.
CHECKOUT = ("quantum", "migrations", "wsgi.py", "gunicorn.conf.py", "Makefile", "setup.cfg", "requirements.txt",
            "docs", "README.md", ".venv")
WORKERS = 3
STEP_TIMEOUT = 90.0
START_TIMEOUT = 90.0
# Variables a reader's shell does not have; the test run's own settings must not leak into the guide.
FOREIGN = ("DATABASE_URL", "MIGRATION_DATABASE_URL", "QUANTUM_", "JWT_", "RATELIMIT_", "FLASK_", "PROMETHEUS_",
           "WEB_CONCURRENCY", "GUNICORN_", "PORT", "VIRTUAL_ENV", "PYTHONPATH", "METRICS_TOKEN", "LOG_FORMAT")

SESSION_PRELUDE = r"""
curl() {
  local headers
  headers=$(mktemp "$GUIDE_RUN/call.XXXXXX")
  echo "$headers" >> "$GUIDE_RUN/calls"
  command curl -D "$headers" "$@"
}
trap 'echo "line $LINENO: $BASH_COMMAND (exit $?)" >> "$GUIDE_RUN/failed"' ERR
"""


@dataclass
class StepResult:
    """What one step did and every way it differs from the guide."""

    step: Step
    output: str
    exit_code: int | None
    statuses: list[int | None]
    problems: list[str] = field(default_factory=list)


@dataclass
class GuideRun:
    """The results of every step of a guide, and the server's log."""

    guide: Guide
    results: list[StepResult]
    server_log: str

    @property
    def failures(self) -> list[StepResult]:
        """The steps whose output, status or exit code differ from what the guide shows."""
        return [result for result in self.results if result.problems]

    def report(self) -> str:
        """A readable account of every failing step."""
        parts = []
        for result in self.failures:
            parts.append(
                f"{self.guide.path.name}:{result.step.line}: step\n{result.step.code.rstrip()}\n"
                + "\n".join(f"  - {problem}" for problem in result.problems)
                + f"\n  printed: {result.output[:1500]!r}"
            )
        return "\n\n".join(parts)


def serve_recipe(makefile: Path = ROOT / "Makefile") -> list[str]:
    """The commands of the Makefile's `serve` target, in order (the last one is the server)."""
    lines = makefile.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("serve:"))
    recipe = []
    for line in lines[start + 1:]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip())
    return recipe


_MAKE_ASSIGNMENT = re.compile(r"^([A-Z_][A-Z0-9_]*)\s*(?::=|\?=|=)\s*(.*?)\s*$")
_MAKE_REFERENCE = re.compile(r"\$\(([A-Z_][A-Z0-9_]*)\)")


def make_variables(makefile: Path = ROOT / "Makefile") -> dict[str, str]:
    """The Makefile's simple variable assignments (`NAME := value`, `?=`, `=`), as written."""
    found = (_MAKE_ASSIGNMENT.match(line) for line in makefile.read_text().splitlines())
    return {match[1]: match[2] for match in found if match}


def _expand(command: str, port: int) -> list[str]:
    """A recipe line with the Makefile's variables filled in (PORT is the runner's free port)."""
    variables = {**make_variables(), "PORT": str(port)}
    expanded = command
    for _ in range(10):  # variables may refer to variables (PY := $(VENV)/bin/python)
        expanded = _MAKE_REFERENCE.sub(lambda ref: variables.get(ref[1], ref[0]), expanded)
    if "$(" in expanded:
        raise RuntimeError(f"the serve recipe uses a make variable the runner does not know: {command}")
    return shlex.split(expanded)


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def reader_env(checkout: Path) -> dict[str, str]:
    """A reader's environment: no project settings, no activated venv; imports resolve to the checkout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(FOREIGN)}
    venv_bin = str(ROOT / ".venv" / "bin")
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p and p != venv_bin)
    # The linked package is found before the installed (editable) one, so Flask's instance folder
    # is the checkout's own `instance/`, not the project's.
    env["PYTHONPATH"] = str(checkout)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def make_checkout(directory: Path) -> Path:
    """A directory that looks like a fresh clone: the project's files linked, no `instance/`."""
    checkout = directory / "checkout"
    checkout.mkdir()
    for name in CHECKOUT:
        (checkout / name).symlink_to(ROOT / name)
    return checkout


def _stop(process: subprocess.Popen) -> None:
    """Stop a process we started and everything in its session (its own process group)."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)  # stragglers of the group (curl, workers)
    except ProcessLookupError:
        pass
    process.wait()


class Server:
    """`make serve`'s commands in a checkout, on a free port; stopped by `stop()`."""

    def __init__(self, checkout: Path, env: dict[str, str], log: Path) -> None:
        self.checkout, self.env, self.log = checkout, env, log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        """Run the recipe's set-up commands, start the server, wait until it is ready."""
        *setup, serve = serve_recipe()
        env = {**self.env, "WEB_CONCURRENCY": str(WORKERS),
               "PROMETHEUS_MULTIPROC_DIR": str(self.checkout.parent / "metrics")}
        with open(self.log, "w") as log:
            for command in setup:
                done = subprocess.run(_expand(command, self.port), cwd=self.checkout, env=env, stdout=log,
                                      stderr=subprocess.STDOUT, timeout=START_TIMEOUT)
                if done.returncode:
                    raise RuntimeError(f"`{command}` exited {done.returncode}:\n{self.log.read_text()[-3000:]}")
            self.process = subprocess.Popen(_expand(serve, self.port), cwd=self.checkout, env=env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(self.url + "/api/health/ready", timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the server did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.3)

    def stop(self) -> None:
        """Stop gunicorn and its workers."""
        if self.process is not None:
            _stop(self.process)


class Session:
    """One bash process that runs the steps one after another, keeping their variables."""

    def __init__(self, checkout: Path, env: dict[str, str], run_dir: Path) -> None:
        self.run_dir = run_dir
        self.process = subprocess.Popen(
            ["bash", "--noprofile", "--norc"], cwd=checkout, env={**env, "GUIDE_RUN": str(run_dir)},
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True,
            start_new_session=True,
        )
        self._send(SESSION_PRELUDE)
        self.count = 0

    def _send(self, text: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()

    def run(self, code: str) -> tuple[str, int | None, list[int | None], list[str]]:
        """Run one step: (what it printed, exit code or None on timeout, curl statuses, failed commands)."""
        self.count += 1
        script = self.run_dir / f"step-{self.count}.sh"
        script.write_text(code)
        out, done = self.run_dir / f"step-{self.count}.out", self.run_dir / f"step-{self.count}.rc"
        for name in ("calls", "failed"):
            (self.run_dir / name).write_text("")
        # `source` runs the step in this shell, so its variables stay for the next step.
        self._send(f'source {shlex.quote(str(script))} > {shlex.quote(str(out))} 2>&1 < /dev/null; '
                   f'echo $? > {shlex.quote(str(done))}.tmp; mv {shlex.quote(str(done))}.tmp {shlex.quote(str(done))}')
        deadline = time.monotonic() + STEP_TIMEOUT
        while not done.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                return (out.read_text() if out.exists() else ""), None, self._statuses(), self._failed()
            time.sleep(0.05)
        return out.read_text(), int(done.read_text()), self._statuses(), self._failed()

    def _statuses(self) -> list[int | None]:
        statuses: list[int | None] = []
        for name in (self.run_dir / "calls").read_text().split():
            found = re.findall(r"^HTTP/[\d.]+ (\d{3})", Path(name).read_text(errors="replace"), re.M)
            statuses.append(int(found[-1]) if found else None)
        return statuses

    def _failed(self) -> list[str]:
        return [line for line in (self.run_dir / "failed").read_text().splitlines() if line]

    def close(self) -> None:
        """End the shell and anything it still runs."""
        if self.process.stdin:
            self.process.stdin.close()
        _stop(self.process)


def check_step(step: Step, output: str, exit_code: int | None, statuses: list[int | None],
               failed: list[str]) -> list[str]:
    """Every way a step's run differs from what its guide shows."""
    problems: list[str] = []
    shown = step.output
    expected_exit = shown.exit_code if shown else 0
    if exit_code is None:
        return [f"did not finish within {STEP_TIMEOUT:.0f} s"]
    if exit_code != expected_exit:
        problems.append(f"exit code {exit_code}, the guide expects {expected_exit}")
    if expected_exit == 0 and failed:
        problems += [f"a command failed: {line}" for line in failed]
    expected_statuses = list(shown.statuses) if shown else []
    if len(expected_statuses) > len(statuses):
        problems.append(f"the guide shows {len(expected_statuses)} HTTP status(es), the step made {len(statuses)} call(s)")
    else:
        split = len(statuses) - len(expected_statuses)
        for index, status in enumerate(statuses[:split]):
            if status is None or not 200 <= status < 300:
                problems.append(f"curl call {index + 1} answered {status or 'nothing'}; the guide shows no status for it"
                                " (2xx expected; give status= in its output marker)")
        for index, (status, wanted) in enumerate(zip(statuses[split:], expected_statuses, strict=True)):
            if status != wanted:
                problems.append(f"curl call {split + index + 1} answered {status or 'nothing'}, the guide shows {wanted}")
    if shown:
        compare = compare_json_text if shown.kind == "json" else compare_text
        problems += compare(shown.text, output)
    return problems


def run_guide(guide: Guide, *, base: Path | None = None) -> GuideRun:
    """Start a fresh server, run every step of the guide in one shell, stop everything."""
    with tempfile.TemporaryDirectory(prefix="guide-", dir=base) as directory:
        directory = Path(directory)
        checkout = make_checkout(directory)
        run_dir = directory / "run"
        run_dir.mkdir()
        env = reader_env(checkout)
        server = Server(checkout, env, directory / "server.log")
        server.start()
        session = None
        results: list[StepResult] = []
        try:
            session = Session(checkout, env, run_dir)
            for step in guide.steps:
                code = step.code.replace(GUIDE_URL, server.url)
                output, exit_code, statuses, failed = session.run(code)
                output = output.replace(server.url, GUIDE_URL)
                result = StepResult(step, output, exit_code, statuses)
                result.problems = check_step(step, output, exit_code, statuses, failed)
                results.append(result)
                if exit_code is None:
                    break  # the shell is stuck; later steps would only time out too
            if not (checkout / "instance" / "quantum.db").exists():
                raise RuntimeError("the guide's server did not use the checkout's own instance/quantum.db")
        finally:
            if session is not None:
                session.close()
            server.stop()
            log = (directory / "server.log").read_text(errors="replace")
        return GuideRun(guide, results, log)
