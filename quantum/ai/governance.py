"""Governance of AI requests: every computation is recorded in `requests` and checked against a policy.

A policy belongs to a tier (seeded by migration 0004) or to one user; a user's policy overrides their tier's
field by field (a null field falls back to the tier's). The rules, in the order they are checked:

1. `min_tier`: a template whose minimum tier is above the user's is refused (403 policy_violation);
2. `allowed_templates`: when set, only the listed template slugs may run (403 policy_violation);
3. `daily_limits[endpoint]`: requests per UTC day per endpoint, counting every request that was not rejected
   or cancelled (429 rate_limited, retry_after = seconds until 00:00 UTC);
4. `max_cost`: an estimated cost above it is rejected (403 policy_violation);
5. `approval_cost`: an estimated cost above it waits for an administrator (202, status pending).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from quantum.ai.models import AIRequest, Policy, RequestStatus, StrategyTemplate
from quantum.auth.models import Tier, User
from quantum.core.time import utcnow
from quantum.db.unit_of_work import RaiseAfterCommit
from quantum.errors import APIError

TIER_ORDER = {Tier.free: 0, Tier.pro: 1, Tier.enterprise: 2}
# Requests that used (or are about to use) capacity: they count against the daily limit.
COUNTED_STATUSES = (
    RequestStatus.pending,
    RequestStatus.validating,
    RequestStatus.approved,
    RequestStatus.executing,
    RequestStatus.executed,
    RequestStatus.failed,
)


class PolicyViolationError(APIError):
    """403: a policy rule refused the request; details name the rule."""

    status = 403
    error = "policy_violation"

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(message, error_code="AI_403", **kwargs)


class RateLimitedError(APIError):
    """429: the daily limit of an endpoint is used up; retry_after says when the UTC day resets."""

    status = 429
    error = "rate_limited"

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(message, error_code="AI_429", **kwargs)


@dataclass(frozen=True)
class EffectivePolicy:
    """The rules that apply to one user, and where each came from ("tier:free", "user", or "default")."""

    allowed_templates: list[str] | None
    daily_limits: dict[str, int]
    approval_cost: Decimal | None
    max_cost: Decimal | None
    sources: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "allowed_templates": self.allowed_templates,
            "daily_limits": self.daily_limits,
            "approval_cost": self.approval_cost,
            "max_cost": self.max_cost,
            "sources": self.sources,
        }


def effective_policy(*, session: Session, user: User) -> EffectivePolicy:
    """The user's policy merged over their tier's; with neither, nothing is limited."""
    rows = session.scalars(
        sa.select(Policy).where(sa.or_(Policy.tier == user.tier, Policy.user_id == user.id))
    ).all()
    tier_policy = next((p for p in rows if p.tier is not None), None)
    user_policy = next((p for p in rows if p.user_id is not None), None)
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name in ("allowed_templates", "daily_limits", "approval_cost", "max_cost"):
        for policy, source in ((user_policy, "user"), (tier_policy, f"tier:{user.tier.value}")):
            if policy is not None and getattr(policy, name) is not None:
                values[name], sources[name] = getattr(policy, name), source
                break
        else:
            values[name], sources[name] = None, "default"
    return EffectivePolicy(
        allowed_templates=values["allowed_templates"],
        daily_limits={str(k): int(v) for k, v in (values["daily_limits"] or {}).items()},
        approval_cost=_decimal(values["approval_cost"]),
        max_cost=_decimal(values["max_cost"]),
        sources=sources,
    )


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def lock_user(*, session: Session, user: User) -> None:
    """Serialize one user's governed requests (PostgreSQL row lock) so two at once cannot both pass a limit."""
    # PostgreSQL: the row lock is held until commit, so the count that follows sees every earlier request.
    # SQLite ignores FOR UPDATE; there `record()` writes the request before the count, and SQLite's single
    # writer (WAL: a writer whose snapshot is stale gets SQLITE_BUSY, a 503 to retry) keeps two requests from
    # both taking the last slot.
    session.execute(sa.select(User.id).where(User.id == user.id).with_for_update())


def record(
    *,
    session: Session,
    user: User,
    endpoint: str,
    model: str,
    parameters: dict[str, Any],
    template: StrategyTemplate | None = None,
    estimated_cost: Decimal = Decimal(0),
) -> AIRequest:
    """Add a request in status `validating` (flushed, not committed)."""
    request = AIRequest(
        user_id=user.id,
        endpoint=endpoint,
        model=model,
        template_id=template.id if template is not None else None,
        parameters=parameters,
        status=RequestStatus.validating,
        estimated_cost=estimated_cost,
    )
    session.add(request)
    session.flush()
    return request


def reject(*, request: AIRequest, error: APIError) -> RaiseAfterCommit:
    """Mark the request rejected with the error's message; raise the result: the rejection is kept, the error raised."""
    request.status = RequestStatus.rejected
    request.reason = error.message
    request.actual_cost = Decimal(0)
    error.details = {**error.details, "request_id": request.request_id}
    return RaiseAfterCommit(error)


def check_template(user: User, policy: EffectivePolicy, template: StrategyTemplate) -> None:
    """Rules 1 and 2: the template's minimum tier, and the policy's allowed templates."""
    if TIER_ORDER[user.tier] < TIER_ORDER[Tier(template.min_tier)]:
        raise PolicyViolationError(
            f"policy rule min_tier: template {template.slug} needs the {Tier(template.min_tier).value} tier "
            f"or above; this account is on {user.tier.value}",
            details={"rule": "min_tier", "template": template.slug, "required_tier": Tier(template.min_tier).value,
                     "tier": user.tier.value},
        )
    if policy.allowed_templates is not None and template.slug not in policy.allowed_templates:
        raise PolicyViolationError(
            f"policy rule allowed_templates: template {template.slug} is not among the templates this "
            f"account may run ({', '.join(policy.allowed_templates) or 'none'})",
            details={"rule": "allowed_templates", "template": template.slug,
                     "allowed_templates": policy.allowed_templates, "source": policy.sources["allowed_templates"]},
        )


def next_utc_midnight(now: datetime) -> datetime:
    """The start of the next UTC day after `now`."""
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=1)


def used_today(*, session: Session, user: User, endpoint: str, now: datetime) -> int:
    """Requests of `user` to `endpoint` since 00:00 UTC that count against the limit."""
    start = next_utc_midnight(now) - timedelta(days=1)
    return session.scalar(
        sa.select(sa.func.count())
        .select_from(AIRequest)
        .where(
            AIRequest.user_id == user.id,
            AIRequest.endpoint == endpoint,
            AIRequest.created_at >= start,
            AIRequest.status.in_(COUNTED_STATUSES),
        )
    ) or 0


def check_rate_limit(
    *, session: Session, user: User, policy: EffectivePolicy, endpoint: str, exclude: AIRequest | None = None,
    now: datetime | None = None,
) -> None:
    """Rule 3: at most daily_limits[endpoint] counted requests per UTC day; 429 says when the day resets."""
    limit = policy.daily_limits.get(endpoint)
    if limit is None:
        return
    now = now or utcnow()
    used = used_today(session=session, user=user, endpoint=endpoint, now=now)
    if exclude is not None and exclude.status in COUNTED_STATUSES:
        used -= 1  # the request being checked was already recorded
    if used < limit:
        return
    resets = next_utc_midnight(now)
    wait = max(1, math.ceil((resets - now).total_seconds()))
    raise RateLimitedError(
        f"policy rule daily_limit: this account may make {limit} request{'s' if limit != 1 else ''} per UTC day "
        f"to /api/ai/{endpoint} ({policy.sources['daily_limits']}) and has used {used}; the limit resets at "
        f"{resets.isoformat()} (in {_duration(wait)})",
        details={"rule": "daily_limit", "endpoint": endpoint, "limit": limit, "used": used,
                 "resets_at": resets.isoformat(), "source": policy.sources["daily_limits"]},
        retry_after=wait,
    )


def _duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


def check_cost(policy: EffectivePolicy, estimated_cost: Decimal) -> bool:
    """Rules 4 and 5: reject above max_cost (403); return True when approval_cost says an admin must approve."""
    if policy.max_cost is not None and estimated_cost > policy.max_cost:
        raise PolicyViolationError(
            f"policy rule max_cost: the estimated cost {estimated_cost.normalize():f} compute units is above "
            f"this account's limit of {policy.max_cost.normalize():f}; narrow the date range or upgrade the tier",
            details={"rule": "max_cost", "estimated_cost": str(estimated_cost), "max_cost": str(policy.max_cost),
                     "source": policy.sources["max_cost"]},
        )
    return policy.approval_cost is not None and estimated_cost > policy.approval_cost


def approval_note(policy: EffectivePolicy, estimated_cost: Decimal) -> str:
    """Why a request waits for approval."""
    return (
        f"policy rule approval_cost: the estimated cost {estimated_cost.normalize():f} compute units is above "
        f"{policy.approval_cost.normalize():f}; an administrator must approve it"
    )
