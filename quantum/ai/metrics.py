"""Risk metrics of a value series, as pure functions (plain Python floats, no numpy).

Definitions (docs/ai.md repeats them for clients):

* returns: simple period returns r_i = V_i / V_{i-1} - 1 of consecutive observations;
* volatility: the sample standard deviation of the returns (divisor n - 1), annualized by sqrt(P), where P is
  the number of periods per year (252: one observation per trading day);
* historical VaR at 95%: the lower empirical 5% quantile of the returns, q = r_(k) with k = ceil(0.05 * n) on
  the returns sorted ascending (1-based), reported as a positive loss: VaR = -q;
* historical CVaR at 95% (expected shortfall): minus the mean of the k worst returns r_(1) .. r_(k);
* maximum drawdown: the largest fall from a running peak, (peak - trough) / peak, with the dates of that peak
  and trough; 0 when the series never falls;
* Sharpe ratio: (mean(r) * P - rf) / (stdev(r) * sqrt(P)), with rf the annual risk-free rate.

Values arrive as Decimal (money) and are converted to float once: ratios need no more than float's 15 digits.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal

PERIODS_PER_YEAR = 252
CONFIDENCE = 0.95


def simple_returns(values: Sequence[float | Decimal]) -> list[float]:
    """Period-over-period simple returns; a non-positive previous value has no defined return and is skipped."""
    floats = [float(v) for v in values]
    return [current / previous - 1.0 for previous, current in zip(floats, floats[1:], strict=False) if previous > 0]


def annualized_volatility(returns: Sequence[float], periods_per_year: int = PERIODS_PER_YEAR) -> float | None:
    """Sample standard deviation of the returns times sqrt(periods per year); None below two returns."""
    if len(returns) < 2:
        return None
    return statistics.stdev(returns) * math.sqrt(periods_per_year)


def _tail_size(count: int, confidence: float) -> int:
    # The lower empirical quantile's rank: the smallest k with k / n >= 1 - confidence (at least 1).
    # round() first so that 0.05 * 20 = 1.0000000000000002 does not become 2.
    return max(1, math.ceil(round((1.0 - confidence) * count, 9)))


def historical_var(returns: Sequence[float], confidence: float = CONFIDENCE) -> float | None:
    """Historical value at risk as a positive loss fraction: minus the lower empirical (1 - c) quantile."""
    if not returns:
        return None
    ordered = sorted(returns)
    return -ordered[_tail_size(len(ordered), confidence) - 1]


def historical_cvar(returns: Sequence[float], confidence: float = CONFIDENCE) -> float | None:
    """Expected shortfall as a positive loss fraction: minus the mean of the returns at or below the VaR rank."""
    if not returns:
        return None
    ordered = sorted(returns)
    tail = ordered[: _tail_size(len(ordered), confidence)]
    return -statistics.fmean(tail)


@dataclass(frozen=True)
class Drawdown:
    """The largest peak-to-trough fall, as a positive fraction, and where it happened."""

    max_drawdown: float
    peak_index: int | None
    trough_index: int | None


def max_drawdown(values: Sequence[float | Decimal]) -> Drawdown | None:
    """The largest fall from a running peak; indexes of that peak and trough (None when it never falls)."""
    if not values:
        return None
    floats = [float(v) for v in values]
    peak_index = 0
    best = Drawdown(0.0, None, None)
    for index, value in enumerate(floats):
        if value > floats[peak_index]:
            peak_index = index
        peak = floats[peak_index]
        if peak > 0:
            fall = (peak - value) / peak
            if fall > best.max_drawdown:
                best = Drawdown(fall, peak_index, index)
    return best


def sharpe_ratio(
    returns: Sequence[float], risk_free_rate: float = 0.0, periods_per_year: int = PERIODS_PER_YEAR
) -> float | None:
    """Annualized excess mean return over annualized volatility; None below two returns or with zero volatility."""
    volatility = annualized_volatility(returns, periods_per_year)
    if volatility is None or volatility == 0:
        return None
    return (statistics.fmean(returns) * periods_per_year - risk_free_rate) / volatility


@dataclass(frozen=True)
class RiskReport:
    """Every risk metric of one series; null metrics come with a reason."""

    observations: int
    returns: int
    volatility: float | None
    var_95: float | None
    cvar_95: float | None
    max_drawdown: float | None
    drawdown_peak_at: datetime | None
    drawdown_trough_at: datetime | None
    sharpe_ratio: float | None
    mean_return: float | None
    total_return: float | None
    reason: str | None

    def to_dict(self) -> dict:
        """The JSON-ready form."""
        return asdict(self)


def risk_report(
    points: Sequence[tuple[datetime, float | Decimal]],
    *,
    risk_free_rate: float = 0.0,
    periods_per_year: int = PERIODS_PER_YEAR,
) -> RiskReport:
    """All metrics of a (timestamp, value) series in time order; fewer than two points gives nulls and a reason."""
    count = len(points)
    if count < 2:
        return RiskReport(
            observations=count, returns=0, volatility=None, var_95=None, cvar_95=None, max_drawdown=None,
            drawdown_peak_at=None, drawdown_trough_at=None, sharpe_ratio=None, mean_return=None, total_return=None,
            reason=f"risk metrics need at least 2 portfolio snapshots; found {count}",
        )
    values = [value for _, value in points]
    returns = simple_returns(values)
    drawdown = max_drawdown(values)
    reasons = []
    if len(returns) < 2:
        reasons.append("volatility and Sharpe ratio need at least 2 returns (3 snapshots)")
    if len(returns) < len(values) - 1:
        reasons.append("returns after a snapshot worth 0 are undefined and were skipped")
    first, last = float(values[0]), float(values[-1])
    return RiskReport(
        observations=count,
        returns=len(returns),
        volatility=annualized_volatility(returns, periods_per_year),
        var_95=historical_var(returns),
        cvar_95=historical_cvar(returns),
        max_drawdown=drawdown.max_drawdown if drawdown else None,
        drawdown_peak_at=points[drawdown.peak_index][0] if drawdown and drawdown.peak_index is not None else None,
        drawdown_trough_at=(
            points[drawdown.trough_index][0] if drawdown and drawdown.trough_index is not None else None
        ),
        sharpe_ratio=sharpe_ratio(returns, risk_free_rate, periods_per_year),
        mean_return=statistics.fmean(returns) if returns else None,
        total_return=last / first - 1.0 if first > 0 else None,
        reason="; ".join(reasons) or None,
    )
