"""Per-route latency for one wrk run: server-side from the app's Prometheus histogram, client-side from bench.lua.

Server-side: bench/run.py scrapes GET /metrics just before and just after a run. The difference of the
`quantum_http_request_duration_seconds` buckets is the distribution of the requests served during the run, per
(method, route). Percentiles are interpolated linearly within a bucket (as Prometheus' histogram_quantile does),
so they are only as fine as the buckets: each row also says between which bucket bounds its p99 lies. The span is
the app's own (Flask before_request to after_request): it leaves out the time a request waits in the socket
backlog or for a free gunicorn thread, which is most of the latency at saturation.

Client-side: with SPLIT=1, bench.lua times every request per route (the span wrk measures) and prints the raw
latencies; `client_split` turns them into the same rows.
"""

from __future__ import annotations

import math
import urllib.request
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

LATENCY_METRIC = "quantum_http_request_duration_seconds"
REQUESTS_METRIC = "quantum_http_requests_total"
SERVER_NOTE = "server-side, from histogram buckets (interpolated within buckets; excludes queueing before Flask)"
CLIENT_NOTE = "client-side, per request (wrk Lua)"
TARGET_S = 0.05  # the read target: p99 under 50 ms
# The routes bench.lua requests, by (method, Flask rule): the name bench.lua gives them.
ROUTES = {
    ("GET", "/api/portfolio/latest"): "latest",
    ("GET", "/api/portfolio/snapshots"): "snapshots",
    ("GET", "/api/trading/positions"): "positions",
    ("GET", "/api/trading/metrics"): "metrics",
    ("GET", "/api/ai/risk-metrics"): "risk",
    ("POST", "/api/trading/orders"): "order",
    ("POST", "/api/portfolio/snapshots"): "snapshot",
}
ORDER = ("latest", "snapshots", "positions", "metrics", "risk", "order", "snapshot")

Key = tuple[str, str]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def scrape(base: str, token: str | None) -> dict[Key, dict[str, Any]]:
    """GET /metrics; per (method, route): cumulative bucket counts by upper bound, count, sum and status errors."""
    request = urllib.request.Request(base + "/metrics", headers={"Authorization": f"Bearer {token}"} if token else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read().decode()
    routes: dict[Key, dict[str, Any]] = {}

    def entry(labels: dict[str, str]) -> dict[str, Any]:
        return routes.setdefault((labels["method"], labels["route"]),
                                 {"buckets": {}, "count": 0.0, "sum": 0.0, "status_errors": 0.0})

    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == f"{LATENCY_METRIC}_bucket":
                entry(sample.labels)["buckets"][float(sample.labels["le"])] = sample.value
            elif sample.name == f"{LATENCY_METRIC}_count":
                entry(sample.labels)["count"] = sample.value
            elif sample.name == f"{LATENCY_METRIC}_sum":
                entry(sample.labels)["sum"] = sample.value
            elif sample.name == REQUESTS_METRIC and int(sample.labels["status"]) >= 400:
                entry(sample.labels)["status_errors"] += sample.value
    return routes


def histogram_quantile(q: float, buckets: list[tuple[float, float]]) -> tuple[float, float, float]:
    """The q-quantile (0..1) of cumulative (upper bound, count) buckets, interpolated; with its bucket's bounds."""
    total = buckets[-1][1]
    rank = q * total
    lower, below = 0.0, 0.0
    for upper, cumulative in buckets:
        if cumulative >= rank and cumulative > below:
            if math.isinf(upper):  # above the last finite bound: all we know is "more than"
                return lower, lower, upper
            return lower + (upper - lower) * (rank - below) / (cumulative - below), lower, upper
        lower, below = upper, cumulative
    return lower, lower, math.inf


def _server_row(name: str, buckets: list[tuple[float, float]], errors: float, seconds: float) -> dict[str, Any]:
    """One row of the server-side split from cumulative bucket deltas."""
    count = buckets[-1][1]
    row: dict[str, Any] = {"endpoint": name, "requests": int(count), "rps": count / seconds, "errors": int(errors),
                           "source": "server"}
    for q in (50, 95, 99):
        value, lower, upper = histogram_quantile(q / 100, buckets)
        row[f"p{q}_ms"] = value * 1000
        row[f"p{q}_bucket_ms"] = [lower * 1000, None if math.isinf(upper) else upper * 1000]
    under = dict(buckets).get(TARGET_S)
    row["share_under_50ms"] = under / count if under is not None else None  # exact: 50 ms is a bucket bound
    return row


def server_split(before: dict[Key, dict[str, Any]], after: dict[Key, dict[str, Any]], seconds: float,
                 ) -> list[dict[str, Any]]:
    """Per-route rows (and an "all routes" row) from two scrapes taken around a run of `seconds`."""
    rows: list[dict[str, Any]] = []
    total: dict[float, float] = {}
    total_errors = 0.0
    for key, now in after.items():
        then = before.get(key, {"buckets": {}, "count": 0.0, "status_errors": 0.0})
        if now["count"] - then["count"] <= 0:
            continue
        buckets = sorted((le, n - then["buckets"].get(le, 0.0)) for le, n in now["buckets"].items())
        errors = now["status_errors"] - then["status_errors"]
        name = ROUTES.get(key, f"{key[0]} {key[1]}")
        rows.append(_server_row(name, buckets, errors, seconds))
        for le, n in buckets:
            total[le] = total.get(le, 0.0) + n
        total_errors += errors
    rows.sort(key=lambda r: (ORDER.index(r["endpoint"]) if r["endpoint"] in ORDER else len(ORDER), r["endpoint"]))
    if len(rows) > 1:
        rows.append(_server_row("all routes", sorted(total.items()), total_errors, seconds))
    return rows


def client_row(name: str, latencies_us: list[float], errors: int, seconds: float) -> dict[str, Any]:
    """One row from raw client-side latencies (microseconds)."""
    ms = [value / 1000 for value in latencies_us]
    row: dict[str, Any] = {"endpoint": name, "requests": len(ms), "rps": len(ms) / seconds if seconds > 0 else 0.0,
                           "errors": errors, "source": "client"}
    if ms:
        row.update(p50_ms=percentile(ms, 50), p95_ms=percentile(ms, 95), p99_ms=percentile(ms, 99), max_ms=max(ms),
                   share_under_50ms=sum(1 for value in ms if value <= TARGET_S * 1000) / len(ms))
    return row


def client_split(raw: dict[str, dict[str, Any]], seconds: float) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The all-routes row and the per-route rows from bench.lua's WRKSPLIT data."""
    names = sorted(raw, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))
    rows = [client_row(n, raw[n]["latency_us"], raw[n]["status_errors"], seconds) for n in names]
    everything = [value for n in names for value in raw[n]["latency_us"]]
    return client_row("all routes", everything, sum(raw[n]["status_errors"] for n in names), seconds), rows


def bucket_resolution(rows: list[dict[str, Any]]) -> list[str]:
    """Remarks on rows whose p99 the buckets cannot place finely (the bucket holding it is wider than 10 ms)."""
    remarks = []
    for row in rows:
        lower, upper = row["p99_bucket_ms"]
        if upper is None or upper - lower > 10:
            span = f"above {lower:g} ms" if upper is None else f"somewhere in ({lower:g}, {upper:g}] ms"
            remarks.append(f"{row['endpoint']}: p99 is {span}")
    return remarks
