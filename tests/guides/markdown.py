"""Read a guide: its runnable shell blocks, each with the output the guide shows for it.

The convention (docs/architecture.md, "The guides are tests"):

* every fenced block whose info string is `sh` is a step the reader runs, in order, in one shell;
* `<!-- guide: skip: why -->` on the line before a `sh` fence (blank lines allowed) leaves that block out;
* `<!-- guide: output -->` before the next fenced block (`json` or `text`) makes it the output of the
  step above; options: `status=201` (the HTTP status of the step's last curl call; `status=200,401`
  for its last two calls; every other call must answer 2xx) and `exit=1` (the step's exit code).

A fence marked `output` that does not follow a step, or an unknown marker, is an error: a guide
cannot silently stop being checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>```+)(?P<info>[\w+-]*)\s*$")
MARKER = re.compile(r"^\s*<!--\s*guide:\s*(?P<body>.*?)\s*-->\s*$")
RUNNABLE = "sh"


class GuideFormatError(ValueError):
    """The guide breaks the marking convention."""


@dataclass(frozen=True)
class Output:
    """What the guide shows a step prints: its text and kind, the statuses and the exit code."""

    kind: str  # "json" or "text"
    text: str
    line: int
    statuses: tuple[int, ...] = ()
    exit_code: int = 0


@dataclass
class Step:
    """One shell block the reader runs, with the output shown after it (if any)."""

    code: str
    line: int
    output: Output | None = None


@dataclass
class Guide:
    """A Markdown file's steps (run in order, in one shell) and its skipped shell blocks."""

    path: Path
    steps: list[Step] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)


def _blocks(text: str) -> list[tuple[int, int, str, str, str | None]]:
    """(opening line, closing line, info string, body, marker before it) for each fenced block."""
    lines = text.splitlines()
    blocks = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        start = index + 1
        marker = None
        back = index - 1
        while back >= 0 and not lines[back].strip():
            back -= 1
        if back >= 0 and (found := MARKER.match(lines[back])):
            marker = found.group("body")
        fence, indent = opening.group("fence"), len(opening.group("indent"))
        body: list[str] = []
        index += 1
        while index < len(lines) and lines[index].strip() != fence:
            body.append(lines[index][indent:] if lines[index][:indent].isspace() else lines[index])
            index += 1
        if index >= len(lines):
            raise GuideFormatError(f"line {start}: a fence that never closes")
        blocks.append((start, index + 1, opening.group("info"), "\n".join(body) + "\n", marker))
        index += 1
    return blocks


def _only_blank_between(lines: list[str], after: int, before: int) -> bool:
    """Whether lines strictly between two 1-based line numbers are blank or markers."""
    return all(not line.strip() or MARKER.match(line) for line in lines[after:before - 1])


def _options(body: str, line: int) -> tuple[tuple[int, ...], int]:
    statuses: tuple[int, ...] = ()
    exit_code = 0
    for word in body.split()[1:]:
        name, _, value = word.partition("=")
        try:
            if name == "status":
                statuses = tuple(int(part) for part in value.split(","))
            elif name == "exit":
                exit_code = int(value)
            else:
                raise ValueError
        except ValueError:
            raise GuideFormatError(f"line {line}: unknown output option {word!r} (status=N[,N...], exit=N)") from None
    return statuses, exit_code


def parse_guide(path: Path, text: str | None = None) -> Guide:
    """Split a guide into steps; GuideFormatError when a marker is misplaced or unknown."""
    text = path.read_text() if text is None else text
    guide = Guide(path)
    lines = text.splitlines()
    previous_was_step = False
    previous_end = 0
    for line, end, info, body, marker in _blocks(text):
        adjacent = previous_was_step and _only_blank_between(lines, previous_end, line)
        previous_end = end
        verb = (marker or "").split(":")[0].split()[0] if marker else None
        if verb not in (None, "skip", "output"):
            raise GuideFormatError(f"{path.name}:{line}: unknown marker <!-- guide: {marker} --> (skip, output)")
        if info == RUNNABLE:
            if verb == "output":
                raise GuideFormatError(f"{path.name}:{line}: an `output` marker on a sh block")
            if verb == "skip":
                guide.skipped.append((line, marker.partition(":")[2].strip()))
                previous_was_step = False
                continue
            guide.steps.append(Step(body, line))
            previous_was_step = True
            continue
        if verb == "output":
            if not previous_was_step:
                raise GuideFormatError(f"{path.name}:{line}: an output block that does not follow a runnable sh block")
            statuses, exit_code = _options(marker, line)
            kind = "json" if info == "json" else "text"
            guide.steps[-1].output = Output(kind, body, line, statuses, exit_code)
        elif verb == "skip":
            raise GuideFormatError(f"{path.name}:{line}: `skip` marks sh blocks only")
        elif adjacent:
            raise GuideFormatError(
                f"{path.name}:{line}: a block right after a runnable sh block without a marker: "
                "add <!-- guide: output --> (it is checked) or put prose between them"
            )
        previous_was_step = False
    return guide
