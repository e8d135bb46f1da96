"""Scopes: what a credential may do. A tier grants a set; the admin role adds `admin`."""

from __future__ import annotations

from collections.abc import Iterable

from quantum.auth.models import Tier, User, UserRole

PORTFOLIO_READ = "portfolio:read"
PORTFOLIO_WRITE = "portfolio:write"
TRADING_READ = "trading:read"
TRADING_WRITE = "trading:write"
AI_READ = "ai:read"
AI_RUN = "ai:run"
ADMIN = "admin"

# Canonical order: every list of scopes the API returns is sorted this way.
ALL_SCOPES: tuple[str, ...] = (
    PORTFOLIO_READ,
    PORTFOLIO_WRITE,
    TRADING_READ,
    TRADING_WRITE,
    AI_READ,
    AI_RUN,
    ADMIN,
)

_FREE = frozenset({PORTFOLIO_READ, PORTFOLIO_WRITE, TRADING_READ, TRADING_WRITE, AI_READ})
TIER_SCOPES: dict[Tier, frozenset[str]] = {
    Tier.free: _FREE,
    Tier.pro: _FREE | {AI_RUN},
    Tier.enterprise: _FREE | {AI_RUN},
}
ROLE_SCOPES: dict[UserRole, frozenset[str]] = {
    UserRole.user: frozenset(),
    UserRole.admin: frozenset({ADMIN}),
}


def ordered(scopes: Iterable[str]) -> list[str]:
    """The scopes, deduplicated, in canonical order (unknown names dropped)."""
    wanted = set(scopes)
    return [scope for scope in ALL_SCOPES if scope in wanted]


def scopes_for(tier: Tier | str, role: UserRole | str = UserRole.user) -> list[str]:
    """The scopes a tier and role grant, in canonical order."""
    return ordered(TIER_SCOPES[Tier(tier)] | ROLE_SCOPES[UserRole(role)])


def scopes_for_user(user: User) -> list[str]:
    """The scopes the user's current tier and role grant."""
    return scopes_for(user.tier, user.role)


def unknown_scopes(scopes: Iterable[str]) -> list[str]:
    """The names in `scopes` that are not scopes at all."""
    return sorted(set(scopes) - set(ALL_SCOPES))
