"""Compare what a step printed with what the guide shows, masking what changes from run to run.

JSON output (a `json` block; several values in a row for a step that prints several):

* an object shows all its keys, unless it holds a `...` member: then only the keys shown are compared;
* an array shows all its elements, unless it ends with `...`: then the first ones shown are compared;
* a bare `...` value matches anything, `"..."` any string, and a string ending in `...` any string that
  starts with the rest;
* timestamps and dates, JWTs, API keys and UUIDs are masked on both sides (any value of that shape matches);
  so are the numbers under `VOLATILE_NUMBERS` (latencies, retry delays): only their type is compared.

Text output: line by line after the same masking; `...` inside a line matches anything, and a line
that is only `...` matches any number of lines. A shown line that is a JSON value is compared
as JSON (the rules above) with the printed line, for a step that mixes a command's text and an answer.
"""

from __future__ import annotations

import json
import re
from typing import Any

ELLIPSIS = "\x00..."
MASKS = (
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?"), "<time>"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}\b"), "<date>"),
    (re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+"), "<jwt>"),
    (re.compile(r"\bql_[0-9a-f]{8}_[A-Za-z0-9]{40}\b"), "ql_<prefix>_<secret>"),
    (re.compile(r"\bql_[0-9a-f]{8}(?![0-9a-f])"), "ql_<prefix>"),
    (re.compile(r"\b[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\b"), "<uuid>"),
)
VOLATILE_NUMBERS = frozenset({"latency_ms", "duration_ms", "retry_after"})


def mask(text: str) -> str:
    """Replace every run-dependent value (times, tokens, keys, ids) by its shape."""
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return text


def parse_expected_json(text: str) -> list[Any]:
    """The JSON values a `json` block shows, with each bare `...` turned into the ELLIPSIS marker."""
    out: list[str] = []
    stack: list[str] = []
    previous = ""  # the last significant character outside strings
    index = 0
    while index < len(text):
        char = text[index]
        if char == '"':
            end = index + 1
            while text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            out.append(text[index:end + 1])
            previous, index = '"', end + 1
            continue
        if text.startswith("...", index):
            in_object_member = stack and stack[-1] == "{" and previous in "{,"
            out.append(json.dumps(f"{ELLIPSIS}{index}") + ": null" if in_object_member else json.dumps(ELLIPSIS))
            previous, index = '"', index + 3
            continue
        if char in "{[":
            stack.append(char)
        elif char in "}]":
            stack.pop()
        if not char.isspace():
            previous = char
        out.append(char)
        index += 1
    return _decode_all("".join(out))


def _decode_all(text: str) -> list[Any]:
    decoder = json.JSONDecoder()
    values = []
    index = 0
    while True:
        while index < len(text) and text[index].isspace():
            index += 1
        if index >= len(text):
            return values
        value, index = decoder.raw_decode(text, index)
        values.append(value)


def parse_actual_json(text: str) -> list[Any]:
    """The JSON values a step printed, one after another; ValueError naming what is not JSON."""
    try:
        return _decode_all(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None


def _is_ellipsis_key(key: str) -> bool:
    return key.startswith(ELLIPSIS)


def compare_json(expected: Any, actual: Any, path: str = "$", key: str = "") -> list[str]:
    """Every difference between a shown value and the real one, each naming where it is."""
    if expected == ELLIPSIS:
        return []
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {json.dumps(actual)[:200]}"]
        open_ended = any(_is_ellipsis_key(name) for name in expected)
        shown = {name: value for name, value in expected.items() if not _is_ellipsis_key(name)}
        problems = [f"{path}.{name}: missing" for name in shown if name not in actual]
        if not open_ended:
            extra = sorted(set(actual) - set(shown))
            if extra:
                problems.append(f"{path}: keys the guide does not show (add them or a `...`): {', '.join(extra)}")
        for name, value in shown.items():
            if name in actual:
                problems += compare_json(value, actual[name], f"{path}.{name}", name)
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{path}: expected an array, got {json.dumps(actual)[:200]}"]
        open_ended = bool(expected) and expected[-1] == ELLIPSIS
        shown = expected[:-1] if open_ended else expected
        if ELLIPSIS in shown:
            return [f"{path}: `...` may only end an array"]
        if len(actual) < len(shown) or (not open_ended and len(actual) != len(shown)):
            return [f"{path}: {len(actual)} elements, the guide shows {len(shown)}{' or more' if open_ended else ''}"]
        problems = []
        for index, value in enumerate(shown):
            problems += compare_json(value, actual[index], f"{path}[{index}]", key)
        return problems
    if isinstance(expected, str):
        if not isinstance(actual, str):
            return [f"{path}: expected a string, got {json.dumps(actual)}"]
        if expected == "...":
            return []
        if expected.endswith("..."):
            prefix = expected[:-3]
            if actual.startswith(prefix) or mask(actual).startswith(mask(prefix)):
                return []
            return [f"{path}: {actual!r} does not start with {prefix!r}"]
        if mask(expected) != mask(actual):
            return [f"{path}: shown {expected!r}, got {actual!r}"]
        return []
    if key in VOLATILE_NUMBERS and isinstance(expected, int | float) and not isinstance(expected, bool):
        if isinstance(actual, int | float) and not isinstance(actual, bool):
            return []
    if type(expected) is not type(actual) and not (
        isinstance(expected, int | float) and isinstance(actual, int | float)
        and not isinstance(expected, bool) and not isinstance(actual, bool)
    ):
        return [f"{path}: shown {json.dumps(expected)}, got {json.dumps(actual)}"]
    if expected != actual:
        return [f"{path}: shown {json.dumps(expected)}, got {json.dumps(actual)}"]
    return []


def compare_json_text(expected_text: str, actual_text: str) -> list[str]:
    """Compare a `json` block with what the step printed (one value or several in a row)."""
    try:
        expected = parse_expected_json(expected_text)
    except (json.JSONDecodeError, IndexError) as exc:
        return [f"the guide's json block does not parse: {exc}"]
    try:
        actual = parse_actual_json(actual_text)
    except ValueError as exc:
        return [f"the output is {exc}: {actual_text[:500]!r}"]
    if len(expected) != len(actual):
        return [f"the step printed {len(actual)} JSON value(s), the guide shows {len(expected)}: {actual_text[:500]!r}"]
    problems = []
    for index, (shown, got) in enumerate(zip(expected, actual, strict=True)):
        problems += compare_json(shown, got, f"${index}" if len(expected) > 1 else "$")
    return problems


def _parses(text: str) -> bool:
    try:
        parse_expected_json(text)
    except (json.JSONDecodeError, IndexError):
        return False
    return True


def _line_pattern(line: str) -> re.Pattern:
    return re.compile(".*".join(re.escape(part) for part in line.split("...")) + r"\Z")


def compare_text(expected_text: str, actual_text: str) -> list[str]:
    """Compare a `text` block with what the step printed, line by line (`...` lines match any lines)."""
    shown_raw = [line.rstrip() for line in expected_text.rstrip().splitlines()]
    got_raw = [line.rstrip() for line in actual_text.rstrip().splitlines()]
    shown, got = [mask(line) for line in shown_raw], [mask(line) for line in got_raw]

    def line_matches(i: int, j: int) -> bool:
        if shown_raw[i].startswith(("{", "[")) and _parses(shown_raw[i]):
            return not compare_json_text(shown_raw[i], got_raw[j])
        return bool(_line_pattern(shown[i]).match(got[j]))

    def match(i: int, j: int) -> bool:
        if i == len(shown):
            return j == len(got)
        if shown[i].strip() == "...":
            return any(match(i + 1, k) for k in range(j, len(got) + 1))
        return j < len(got) and line_matches(i, j) and match(i + 1, j + 1)

    if match(0, 0):
        return []
    return ["the output differs from the guide's:\n--- shown\n" + "\n".join(shown) + "\n--- printed\n" + "\n".join(got)]
