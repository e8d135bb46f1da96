"""Schemathesis hooks that mix the hostile-input corpus into generated bodies and query strings.

Loaded by the fuzz run through SCHEMATHESIS_HOOKS. Each generated body or query is sent as generated or
with one field replaced by a hostile value (NUL, unpaired surrogates in bodies, other scripts' digits,
numbers past every column, deep nesting), so the fuzzer's own checks (no 5xx, documented statuses,
bodies matching their schemas) run on them too. tests/security/test_hostile_corpus.py sends the
whole corpus to every route in-process; this carries what an HTTP client can send through a real server.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import strategies as st

NESTED: Any = 0
for _ in range(40):
    NESTED = [NESTED]

# Values that survive JSON encoding (json.dumps escapes NUL and surrogates as \u sequences).
BODY_VALUES: list[Any] = [
    "\x00", "a\x00b", "\ud800", "x\udfffy", "\u0663", "\uff11", "1_000", " 1 ", "1e3", "' OR '1'='1",
    10**40, -(10**40), 2**63, 1e308, "999999999999.99999999", "1000000000000", {"\x00": 1}, NESTED,
]
# Query strings travel as UTF-8 text: no unpaired surrogates (no client can encode them).
QUERY_VALUES: list[Any] = ["\x00", "a\x00b", "\u0663", "\uff11", "1_000", " 1 ", "+5", str(10**40), "-1"]


def _one_replaced(values: list[Any], mapping: Any) -> Any:
    """The mapping as generated, or with one of its keys set to one of `values`."""
    if not isinstance(mapping, dict) or not mapping:
        return st.just(mapping)
    replaced = st.tuples(st.sampled_from(sorted(mapping)), st.sampled_from(values)).map(
        lambda pair: {**mapping, pair[0]: pair[1]}
    )
    return st.one_of(st.just(mapping), replaced)


@schemathesis.hook
def flatmap_body(context: Any, body: Any) -> Any:
    """A generated body, or the same body with one field hostile."""
    return _one_replaced(BODY_VALUES, body)


@schemathesis.hook
def flatmap_query(context: Any, query: Any) -> Any:
    """A generated query, or the same query with one parameter hostile."""
    return _one_replaced(QUERY_VALUES, query)
