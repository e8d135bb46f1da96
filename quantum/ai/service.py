"""The AI service's domain logic: templates, price bars, risk metrics and governed backtests (no HTTP here).

Services take keyword arguments; each write is one unit of work (`quantum.db.unit_of_work`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from quantum.ai import backtest, governance, metrics
from quantum.ai.models import AIRequest, Policy, PriceBar, RequestStatus, StrategyTemplate
from quantum.auth.models import Tier, User
from quantum.config import current_settings
from quantum.core.time import utcnow
from quantum.db.unit_of_work import RaiseAfterCommit, unit_of_work
from quantum.errors import APIError, Conflict, NotFound, ValidationFailed
from quantum.fields import ascii_decimal
from quantum.portfolio.models import PortfolioSnapshot

RISK_ENDPOINT = "risk-metrics"
RISK_MODEL = "risk-metrics/historical-v1"
BACKTEST_ENDPOINT = "backtests"
DEFAULT_WINDOW = 252
MAX_WINDOW = 10_000
MAX_BARS = 100_000
PRICE_FIELDS = ("open", "high", "low", "close")
MAX_ID = 2**31 - 1  # PostgreSQL INTEGER: a larger id in a URL would be a database error, not a 404


def _valid_id(value: int) -> bool:
    return 1 <= value <= MAX_ID


# --- strategy templates -------------------------------------------------------------------------------------------


def list_templates(
    *, session: Session, category: str | None = None, tier: Tier | None = None
) -> list[StrategyTemplate]:
    """Templates ordered by id, optionally of one category and reachable by one tier."""
    query = sa.select(StrategyTemplate).order_by(StrategyTemplate.id)
    if category:
        query = query.where(StrategyTemplate.category == category)
    if tier is not None:
        reachable = [t for t, rank in governance.TIER_ORDER.items() if rank <= governance.TIER_ORDER[tier]]
        query = query.where(StrategyTemplate.min_tier.in_(reachable))
    return list(session.scalars(query))


def get_template(*, session: Session, template_id: int) -> StrategyTemplate:
    """One template; 404 when there is none with this id."""
    template = session.get(StrategyTemplate, template_id) if _valid_id(template_id) else None
    if template is None:
        raise NotFound(f"strategy template {template_id} not found", details={"id": template_id})
    return template


def available_to(user: User, template: StrategyTemplate) -> bool:
    """Whether the user's tier reaches the template's minimum tier."""
    return governance.TIER_ORDER[user.tier] >= governance.TIER_ORDER[Tier(template.min_tier)]


# --- price bars ---------------------------------------------------------------------------------------------------


def parse_timestamp(raw: Any) -> datetime:
    """An ISO 8601 date or datetime; naive values are UTC. ValueError when it is neither."""
    if isinstance(raw, datetime):
        value = raw
    elif isinstance(raw, date):
        value = datetime.combine(raw, time.min)
    else:
        text = str(raw).strip()
        if not text:
            raise ValueError("is empty")
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{text!r} is not an ISO 8601 date or datetime") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def validate_bar(raw: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """Check one bar (symbol, ts, open, high, low, close, volume): the clean values, or errors by field."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    symbol = str(raw.get("symbol") or "").strip().upper()
    if not backtest.SYMBOL_PATTERN.match(symbol):
        errors["symbol"] = "must be a ticker symbol (letters, digits, . - / ^ =; at most 16 characters)"
    clean["symbol"] = symbol
    try:
        clean["ts"] = parse_timestamp(raw.get("ts"))
    except ValueError as exc:
        errors["ts"] = str(exc)
    for name in (*PRICE_FIELDS, "volume"):
        value = raw.get(name)
        try:
            number = ascii_decimal(value)  # ASCII digits only: not "٣", "1_000" or " 1 "
        except (InvalidOperation, ValueError):
            errors[name] = f"{value!r} is not a number (ASCII digits with at most one '.')"
            continue
        if not number.is_finite():
            errors[name] = "must be a finite number"
        elif name == "volume" and number < 0:
            errors[name] = "must not be negative"
        elif name != "volume" and number <= 0:
            errors[name] = "must be positive"
        elif abs(number) >= Decimal(10) ** 12:
            errors[name] = "is too large (at most 12 digits before the point)"
        else:
            clean[name] = number
    if not errors:
        if clean["high"] < max(clean["open"], clean["close"], clean["low"]):
            errors["high"] = "must be at least open, close and low"
        if clean["low"] > min(clean["open"], clean["close"]):
            errors["low"] = "must be at most open and close"
    return (None, errors) if errors else (clean, {})


def store_bars(*, session: Session, bars: list[dict[str, Any]]) -> dict[str, Any]:
    """Validate raw bars and store all of them, or none: 422 naming every bad bar, 409 for one already stored."""
    clean, errors = [], {}
    for index, raw in enumerate(bars):
        bar, problems = validate_bar(raw)
        if problems:
            errors[str(index)] = problems
        else:
            clean.append(bar)
    if errors:
        raise ValidationFailed(
            f"{len(errors)} bad bar(s): " + ", ".join(f"bars[{i}]" for i in errors), details={"bars": errors}
        )
    inserted = insert_bars(session=session, bars=clean)
    return {"inserted": inserted, "symbols": sorted({bar["symbol"] for bar in clean})}


@unit_of_work
def insert_bars(*, session: Session, bars: list[dict[str, Any]]) -> int:
    """Insert validated bars, all or none; 409 naming any (symbol, ts) already stored or repeated."""
    seen: dict[tuple[str, datetime], int] = {}
    for index, bar in enumerate(bars):
        key = (bar["symbol"], bar["ts"])
        if key in seen:
            raise Conflict(
                f"bars {seen[key]} and {index} are both {bar['symbol']} at {bar['ts'].isoformat()}",
                details={"duplicates": [seen[key], index]},
            )
        seen[key] = index
    existing = find_existing(session=session, keys=seen.keys())
    if existing:
        listed = ", ".join(f"{symbol} at {ts.isoformat()}" for symbol, ts in existing[:10])
        raise Conflict(
            f"{len(existing)} bar(s) already stored: {listed}",
            details={"existing": [{"symbol": s, "ts": ts.isoformat()} for s, ts in existing]},
        )
    session.add_all(PriceBar(**bar) for bar in bars)
    session.flush()
    return len(bars)


def find_existing(*, session: Session, keys: Iterable[tuple[str, datetime]]) -> list[tuple[str, datetime]]:
    """Which of the (symbol, ts) pairs are already stored."""
    by_symbol: dict[str, set[datetime]] = {}
    for symbol, ts in keys:
        by_symbol.setdefault(symbol, set()).add(ts)
    found: list[tuple[str, datetime]] = []
    for symbol, stamps in by_symbol.items():
        ordered = sorted(stamps)
        # One range query per symbol, filtered in Python: an IN list of timestamps compares badly on SQLite.
        rows = session.execute(
            sa.select(PriceBar.symbol, PriceBar.ts).where(
                PriceBar.symbol == symbol, PriceBar.ts >= ordered[0], PriceBar.ts <= ordered[-1]
            )
        ).all()
        found.extend((row.symbol, row.ts) for row in rows if row.ts in stamps)
    return sorted(found)


def load_bars(
    *, session: Session, symbol: str, start: datetime | None, end: datetime | None
) -> list[backtest.Bar]:
    """The stored bars of `symbol` in [start, end], oldest first (at most MAX_BARS, the newest ones)."""
    query = sa.select(PriceBar).where(PriceBar.symbol == symbol)
    if start is not None:
        query = query.where(PriceBar.ts >= start)
    if end is not None:
        query = query.where(PriceBar.ts <= end)
    rows = session.scalars(query.order_by(PriceBar.ts.desc()).limit(MAX_BARS)).all()
    return [backtest.Bar(r.ts, r.open, r.high, r.low, r.close, r.volume) for r in reversed(rows)]


def symbols(*, session: Session) -> list[dict[str, Any]]:
    """Every stored symbol with its bar count and first and last timestamps."""
    rows = session.execute(
        sa.select(PriceBar.symbol, sa.func.count(), sa.func.min(PriceBar.ts), sa.func.max(PriceBar.ts))
        .group_by(PriceBar.symbol)
        .order_by(PriceBar.symbol)
    ).all()
    # min()/max() skip the column's TypeDecorator on SQLite, so re-read them through parse_timestamp.
    return [
        {"symbol": s, "bars": n, "first": parse_timestamp(first), "last": parse_timestamp(last)}
        for s, n, first, last in rows
    ]


# --- risk metrics -------------------------------------------------------------------------------------------------


@unit_of_work
def risk_metrics(
    *, session: Session, user: User, window: int | None = None, risk_free_rate: float = 0.0
) -> dict[str, Any]:
    """Metrics of the user's newest `window` snapshots, recorded as a governed request."""
    window = window or DEFAULT_WINDOW
    governance.lock_user(session=session, user=user)
    policy = governance.effective_policy(session=session, user=user)
    points = _snapshot_points(session, user.id, window)
    cost = risk_cost(len(points))
    request = governance.record(
        session=session, user=user, endpoint=RISK_ENDPOINT, model=RISK_MODEL,
        parameters={"window": window, "risk_free_rate": risk_free_rate}, estimated_cost=cost,
    )
    try:
        governance.check_rate_limit(session=session, user=user, policy=policy, endpoint=RISK_ENDPOINT,
                                    exclude=request)
        needs_approval = governance.check_cost(policy, cost)
    except APIError as error:
        raise governance.reject(request=request, error=error) from None
    if needs_approval:
        # Metrics are cheap; a policy strict enough to gate them still gets its audit trail and a 202.
        request.status, request.reason = RequestStatus.pending, governance.approval_note(policy, cost)
        return {"pending": request}
    body = _execute_risk(request, points)
    return {**body, "request_id": request.request_id}


def _snapshot_points(session: Session, user_id: int, window: int) -> list[tuple[datetime, Decimal]]:
    rows = session.execute(
        sa.select(PortfolioSnapshot.id, PortfolioSnapshot.created_at, PortfolioSnapshot.total_value)
        .where(PortfolioSnapshot.user_id == user_id)
        .order_by(PortfolioSnapshot.created_at.desc(), PortfolioSnapshot.id.desc())
        .limit(window)
    ).all()
    if len(rows) < window:
        # Fewer live snapshots than the window: archival may hold the rest. Every live row is in
        # hand, so the newest `window` of live + the archive's newest `window` is the exact window.
        from quantum.portfolio.history import newest_archived_snapshots

        archived = newest_archived_snapshots(session=session, user_id=user_id, limit=window)
        if archived:
            rows = sorted([*rows, *archived], key=lambda row: (row.created_at, row.id), reverse=True)[:window]
    return [(row.created_at, row.total_value) for row in reversed(rows)]


def _execute_risk(request: AIRequest, points: list[tuple[datetime, Decimal]]) -> dict[str, Any]:
    window, risk_free_rate = request.parameters["window"], request.parameters["risk_free_rate"]
    report = metrics.risk_report(points, risk_free_rate=risk_free_rate)
    body = {
        **report.to_dict(),
        "window": window,
        "start": points[0][0] if points else None,
        "end": points[-1][0] if points else None,
        "risk_free_rate": risk_free_rate,
        "periods_per_year": metrics.PERIODS_PER_YEAR,
        "confidence": metrics.CONFIDENCE,
    }
    request.status, request.actual_cost = RequestStatus.executed, risk_cost(len(points))
    request.result = _jsonable(body)
    return body


def risk_cost(observations: int) -> Decimal:
    """Compute units of a risk computation: one per 1,000 observations, at least 0.01."""
    return max(Decimal("0.01"), (Decimal(observations) / 1000).quantize(Decimal("0.0001")))


def _jsonable(value: Any) -> Any:
    """Datetimes and Decimals as strings, for the JSON result column."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


# --- backtests ----------------------------------------------------------------------------------------------------


@dataclass
class BacktestOutcome:
    """What a backtest request came to: the request, and the result when it ran."""

    request: AIRequest
    result: dict[str, Any] | None


@unit_of_work
def run_backtest(*, session: Session, user: User, data: dict[str, Any]) -> BacktestOutcome:
    """Check the request against the policy, record it, and run it (or leave it pending approval).

    A refused or failed request is kept, with its reason, and its error raised.
    """
    governance.lock_user(session=session, user=user)
    policy = governance.effective_policy(session=session, user=user)
    template = session.get(StrategyTemplate, data["template_id"])
    start, end = data.get("start"), data.get("end")
    symbol = data["symbol"]
    request = governance.record(
        session=session, user=user, endpoint=BACKTEST_ENDPOINT,
        model=template.slug if template else f"template:{data['template_id']}", template=template,
        parameters=_jsonable({"template_id": data["template_id"], "symbol": symbol, "start": start, "end": end,
                              "parameters": data.get("parameters") or {}}),
    )
    try:
        if template is None:
            raise NotFound(f"strategy template {data['template_id']} not found",
                           details={"template_id": data["template_id"]})
        governance.check_template(user, policy, template)
        resolved = _resolve_parameters(template, data.get("parameters"))
        if start is not None and end is not None and start > end:
            raise ValidationFailed("start must not be after end", details={"start": "must not be after end"})
        bars = load_bars(session=session, symbol=symbol, start=start, end=end)
        bars_b = (load_bars(session=session, symbol=resolved["symbol_b"], start=start, end=end)
                  if "symbol_b" in resolved else None)
        _check_data(symbol, bars, resolved, bars_b)
        request.parameters = {**request.parameters, "parameters": resolved}
        legs = 2 if bars_b is not None else 1
        request.estimated_cost = backtest.estimate_cost(len(bars), legs)
        governance.check_rate_limit(session=session, user=user, policy=policy, endpoint=BACKTEST_ENDPOINT,
                                    exclude=request)
        needs_approval = governance.check_cost(policy, request.estimated_cost)
    except APIError as error:
        raise governance.reject(request=request, error=error) from None
    if needs_approval:
        request.status = RequestStatus.pending
        request.reason = governance.approval_note(policy, request.estimated_cost)
        return BacktestOutcome(request, None)
    request.status = RequestStatus.approved
    return BacktestOutcome(request, execute(session=session, request=request, template=template, bars=bars,
                                            bars_b=bars_b))


def _resolve_parameters(template: StrategyTemplate, given: dict[str, Any] | None) -> dict[str, Any]:
    try:
        resolved = backtest.validate_parameters(template.parameters, given)
        backtest.check_rules(template.slug, resolved)
    except backtest.ParameterError as exc:
        raise ValidationFailed(
            "invalid parameters: " + ", ".join(sorted(exc.errors)),
            details={"parameters": exc.errors},
        ) from None
    return resolved


def _check_data(symbol: str, bars: list, resolved: dict, bars_b: list | None) -> None:
    if not bars:
        raise ValidationFailed(f"no price bars stored for {symbol} in the requested range",
                               details={"symbol": f"no bars for {symbol} in the range"})
    if bars_b is not None and not bars_b:
        other = resolved["symbol_b"]
        raise ValidationFailed(f"pairs trading needs two symbols: no price bars stored for {other}",
                               details={"parameters": {"symbol_b": f"no bars for {other} in the range"}})


@unit_of_work
def execute(
    *, session: Session, request: AIRequest, template: StrategyTemplate, bars: list, bars_b: list | None
) -> dict[str, Any]:
    """Run an approved backtest and store its result; a failure is recorded on the request and raised."""
    params = request.parameters["parameters"]
    symbol = request.parameters["symbol"]
    request.status = RequestStatus.executing
    session.flush()
    try:
        result = backtest.run(slug=template.slug, symbol=symbol, bars=bars, params=params, bars_b=bars_b,
                              risk_free_rate=current_settings().ai.risk_free_rate)
    except backtest.DataError as exc:
        error = ValidationFailed(exc.message, details={exc.field_name: exc.message})
        raise governance.reject(request=request, error=error) from None
    except backtest.ParameterError as exc:
        error = ValidationFailed("invalid parameters", details={"parameters": exc.errors})
        raise governance.reject(request=request, error=error) from None
    except Exception as exc:
        request.status, request.reason = RequestStatus.failed, f"the backtest raised {type(exc).__name__}"
        raise RaiseAfterCommit(exc) from None
    body = {
        "template": {"id": template.id, "slug": template.slug, "name": template.name},
        "symbol": symbol,
        "parameters": params,
        "start": bars[0].ts,
        "end": bars[-1].ts,
        **result.to_dict(),
    }
    legs = 2 if bars_b is not None else 1
    request.status = RequestStatus.executed
    request.actual_cost = backtest.estimate_cost(result.bars, legs)
    request.result = _jsonable(body)
    return body


# --- requests -----------------------------------------------------------------------------------------------------


def list_requests(
    *, session: Session, user: User, limit: int = 50, before: str | None = None,
    endpoint: str | None = None, status: RequestStatus | None = None,
) -> list[AIRequest]:
    """The user's own requests, newest first; page with `before` (the last request_id of the previous page)."""
    query = sa.select(AIRequest).where(AIRequest.user_id == user.id)
    if before is not None:
        query = query.where(AIRequest.id < get_request(session=session, request_id=before, user=user).id)
    if endpoint:
        query = query.where(AIRequest.endpoint == endpoint)
    if status is not None:
        query = query.where(AIRequest.status == status)
    return list(session.scalars(query.order_by(AIRequest.id.desc()).limit(limit)))


def get_request(*, session: Session, request_id: str, user: User | None = None) -> AIRequest:
    """One request by its public id; another user's (when `user` is given) is 404, like a missing one."""
    query = sa.select(AIRequest).where(AIRequest.request_id == request_id)
    if user is not None:
        query = query.where(AIRequest.user_id == user.id)
    request = session.scalar(query)
    if request is None:
        raise NotFound(f"request {request_id} not found", details={"request_id": request_id})
    return request


def _require_pending(request: AIRequest, action: str) -> None:
    if request.status != RequestStatus.pending:
        raise Conflict(
            f"only a pending request can be {action}; this one is {request.status.value}",
            details={"status": request.status.value},
        )


@unit_of_work
def cancel_request(*, session: Session, user: User, request_id: str) -> AIRequest:
    """The owner withdraws a pending request."""
    request = get_request(session=session, request_id=request_id, user=user)
    _require_pending(request, "cancelled")
    request.status, request.reason = RequestStatus.cancelled, "cancelled by its owner"
    request.actual_cost = Decimal(0)
    return request


@unit_of_work
def decide_request(*, session: Session, request_id: str, approve: bool, note: str | None = None) -> AIRequest:
    """An administrator approves (and so runs) or rejects a pending request."""
    request = get_request(session=session, request_id=request_id)
    _require_pending(request, "approved" if approve else "rejected")
    if not approve:
        request.status = RequestStatus.rejected
        request.reason, request.actual_cost = note or "rejected by an administrator", Decimal(0)
        return request
    request.status = RequestStatus.approved
    if request.endpoint == RISK_ENDPOINT:
        _execute_risk(request, _snapshot_points(session, request.user_id, request.parameters["window"]))
        return request
    template = session.get(StrategyTemplate, request.template_id) if request.template_id else None
    if template is None:
        request.status, request.reason = RequestStatus.failed, "the template no longer exists"
        return request
    stored = request.parameters
    start = parse_timestamp(stored["start"]) if stored.get("start") else None
    end = parse_timestamp(stored["end"]) if stored.get("end") else None
    bars = load_bars(session=session, symbol=stored["symbol"], start=start, end=end)
    symbol_b = stored["parameters"].get("symbol_b")
    bars_b = load_bars(session=session, symbol=symbol_b, start=start, end=end) if symbol_b else None
    try:
        execute(session=session, request=request, template=template, bars=bars, bars_b=bars_b)
    except RaiseAfterCommit as outcome:
        if not isinstance(outcome.error, APIError):
            raise  # a crash: kept as failed, and a 500
        # Refused: recorded on the request (rejected with its reason); the administrator reads it there.
    return request


def policy_overview(*, session: Session, user: User) -> dict[str, Any]:
    """The governance rules that apply to the user, today's usage of each limited endpoint, and when it resets."""
    policy = governance.effective_policy(session=session, user=user)
    now = utcnow()
    used = {endpoint: governance.used_today(session=session, user=user, endpoint=endpoint, now=now)
            for endpoint in policy.daily_limits}
    return {**policy.to_dict(), "used_today": used, "resets_at": governance.next_utc_midnight(now)}


# --- policies (administration) ------------------------------------------------------------------------------------

POLICY_FIELDS = ("allowed_templates", "daily_limits", "approval_cost", "max_cost")
GOVERNED_ENDPOINTS = (RISK_ENDPOINT, BACKTEST_ENDPOINT)


def list_policies(*, session: Session) -> list[Policy]:
    """Tier policies (free, pro, enterprise) and then user policies by user id."""
    rows = session.scalars(sa.select(Policy)).all()
    tier_rank = governance.TIER_ORDER
    return sorted(rows, key=lambda p: (p.tier is None, tier_rank.get(p.tier, 0), p.user_id or 0))


@unit_of_work
def put_policy(
    *, session: Session, data: dict[str, Any], tier: Tier | None = None, user_id: int | None = None
) -> Policy:
    """Create or replace the policy of a tier or a user (every field; null means no limit or fall back)."""
    if user_id is not None and (not _valid_id(user_id) or session.get(User, user_id) is None):
        raise NotFound(f"user {user_id} not found", details={"user_id": user_id})
    slugs = data.get("allowed_templates")
    if slugs is not None:
        known = set(session.scalars(sa.select(StrategyTemplate.slug)))
        unknown = sorted(set(slugs) - known)
        if unknown:
            raise ValidationFailed(f"unknown templates: {', '.join(unknown)}",
                                   details={"allowed_templates": f"unknown templates: {', '.join(unknown)}"})
        data = {**data, "allowed_templates": sorted(set(slugs))}
    subject = Policy.tier == tier if tier is not None else Policy.user_id == user_id
    with_lock = sa.select(Policy).where(subject).with_for_update()
    policy = session.scalar(with_lock) or Policy(tier=tier, user_id=user_id)
    for name in POLICY_FIELDS:
        setattr(policy, name, data.get(name))
    session.add(policy)
    return policy


@unit_of_work
def delete_user_policy(*, session: Session, user_id: int) -> None:
    """Remove a user's own policy: their tier's applies again."""
    policy = session.scalar(sa.select(Policy).where(Policy.user_id == user_id))
    if policy is None:
        raise NotFound(f"user {user_id} has no policy of their own", details={"user_id": user_id})
    session.delete(policy)
