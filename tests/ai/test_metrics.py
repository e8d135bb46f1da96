"""Risk metrics against figures worked out by hand, as pure functions and through GET /api/ai/risk-metrics."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest

from quantum.ai import metrics
from tests.ai.conftest import DAY0

# The hand-made series: six daily portfolio values.
#   100 -> 110 -> 99 -> 118.8 -> 95.04 -> 104.544
# Simple returns V_i / V_{i-1} - 1:
#   110/100 - 1 = +0.10;  99/110 - 1 = -0.10;  118.8/99 - 1 = +0.20;
#   95.04/118.8 - 1 = -0.20;  104.544/95.04 - 1 = +0.10
VALUES = ["100", "110", "99", "118.8", "95.04", "104.544"]
RETURNS = [0.10, -0.10, 0.20, -0.20, 0.10]
# mean = (0.10 - 0.10 + 0.20 - 0.20 + 0.10) / 5 = 0.02
MEAN = 0.02
# deviations from the mean: 0.08, -0.12, 0.18, -0.22, 0.08
# squares: 0.0064 + 0.0144 + 0.0324 + 0.0484 + 0.0064 = 0.108
# sample variance (divisor n - 1 = 4): 0.108 / 4 = 0.027
SAMPLE_STDEV = math.sqrt(0.027)
# annualized volatility: daily stdev x sqrt(252)
VOLATILITY = math.sqrt(0.027) * math.sqrt(252)
# VaR 95%: n = 5 returns, k = ceil(0.05 x 5) = ceil(0.25) = 1: the worst return, -0.20 -> a loss of 0.20
VAR_95 = 0.20
# CVaR 95%: the mean of the k = 1 worst returns: 0.20
CVAR_95 = 0.20
# Drawdowns: peak 110 -> 99 is (110 - 99) / 110 = 0.10; peak 118.8 -> 95.04 is (118.8 - 95.04) / 118.8 = 0.20.
MAX_DRAWDOWN = 0.20
PEAK_INDEX, TROUGH_INDEX = 3, 4
# Sharpe with rf = 0: (0.02 x 252 - 0) / (sqrt(0.027) x sqrt(252))
SHARPE_RF0 = (0.02 * 252) / (math.sqrt(0.027) * math.sqrt(252))
# Sharpe with rf = 4% a year: (0.02 x 252 - 0.04) / (sqrt(0.027) x sqrt(252)) = 5.00 / 2.6085...
SHARPE_RF4 = (5.04 - 0.04) / (math.sqrt(0.027) * math.sqrt(252))
# total return: 104.544 / 100 - 1
TOTAL_RETURN = 0.04544


def test_simple_returns_by_hand():
    assert metrics.simple_returns(VALUES) == pytest.approx(RETURNS)


def test_volatility_by_hand():
    assert metrics.annualized_volatility(RETURNS) == pytest.approx(VOLATILITY)
    assert metrics.annualized_volatility(RETURNS, periods_per_year=1) == pytest.approx(SAMPLE_STDEV)
    assert metrics.annualized_volatility([0.1]) is None  # one return has no sample deviation


def test_var_and_cvar_by_hand():
    assert metrics.historical_var(RETURNS) == pytest.approx(VAR_95)
    assert metrics.historical_cvar(RETURNS) == pytest.approx(CVAR_95)


def test_var_and_cvar_use_the_lower_empirical_quantile():
    # 40 returns: k = ceil(0.05 x 40) = 2, so VaR is the 2nd worst (-0.03 -> 0.03) and
    # CVaR the mean of the two worst: (0.05 + 0.03) / 2 = 0.04.
    returns = [-0.05, -0.03] + [0.01] * 38
    assert metrics.historical_var(returns) == pytest.approx(0.03)
    assert metrics.historical_cvar(returns) == pytest.approx(0.04)
    # 20 returns: 0.05 x 20 = 1 exactly, so k = 1 (float noise must not make it 2): the worst, 0.05.
    returns = [-0.05, -0.03] + [0.01] * 18
    assert metrics.historical_var(returns) == pytest.approx(0.05)
    assert metrics.historical_cvar(returns) == pytest.approx(0.05)


def test_var_is_a_negative_loss_when_even_the_worst_return_is_a_gain():
    # All returns positive: the 5% quantile is +0.01, reported as a "loss" of -0.01.
    assert metrics.historical_var([0.01, 0.02, 0.03]) == pytest.approx(-0.01)


def test_max_drawdown_by_hand():
    drawdown = metrics.max_drawdown(VALUES)
    assert drawdown.max_drawdown == pytest.approx(MAX_DRAWDOWN)
    assert (drawdown.peak_index, drawdown.trough_index) == (PEAK_INDEX, TROUGH_INDEX)
    rising = metrics.max_drawdown(["1", "2", "3"])
    assert (rising.max_drawdown, rising.peak_index, rising.trough_index) == (0.0, None, None)


def test_sharpe_by_hand():
    assert metrics.sharpe_ratio(RETURNS) == pytest.approx(SHARPE_RF0)
    assert metrics.sharpe_ratio(RETURNS, risk_free_rate=0.04) == pytest.approx(SHARPE_RF4)
    assert metrics.sharpe_ratio([0.01, 0.01, 0.01]) is None  # zero volatility: undefined


def test_report_with_fewer_than_two_points_is_all_null_with_a_reason():
    report = metrics.risk_report([(DAY0, 100)])
    assert report.volatility is None and report.var_95 is None and report.sharpe_ratio is None
    assert report.observations == 1
    assert "at least 2" in report.reason


def test_report_with_two_points_has_var_and_drawdown_but_no_volatility():
    # One return: 90/100 - 1 = -0.10; VaR = 0.10; drawdown (100 - 90) / 100 = 0.10; no sample deviation.
    report = metrics.risk_report([(DAY0, 100), (DAY0 + timedelta(days=1), 90)])
    assert report.var_95 == pytest.approx(0.10)
    assert report.max_drawdown == pytest.approx(0.10)
    assert report.volatility is None and report.sharpe_ratio is None
    assert "3 snapshots" in report.reason


# --- through the API, on SQLite and PostgreSQL --------------------------------------------------------------------


def test_risk_metrics_route_matches_the_hand_figures(client, make_account, add_snapshots):
    account = make_account()
    add_snapshots(account.id, VALUES)
    response = client.get("/api/ai/risk-metrics", headers=account.headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["observations"] == 6 and body["returns"] == 5
    assert body["volatility"] == pytest.approx(VOLATILITY)
    assert body["var_95"] == pytest.approx(VAR_95)
    assert body["cvar_95"] == pytest.approx(CVAR_95)
    assert body["max_drawdown"] == pytest.approx(MAX_DRAWDOWN)
    assert body["drawdown_peak_at"] == (DAY0 + timedelta(days=PEAK_INDEX)).isoformat()
    assert body["drawdown_trough_at"] == (DAY0 + timedelta(days=TROUGH_INDEX)).isoformat()
    assert body["sharpe_ratio"] == pytest.approx(SHARPE_RF0)
    assert body["total_return"] == pytest.approx(TOTAL_RETURN)
    assert body["window"] == 252 and body["start"] == DAY0.isoformat()
    assert body["reason"] is None
    assert body["request_id"]


def test_window_takes_the_newest_snapshots(client, make_account, add_snapshots):
    account = make_account()
    add_snapshots(account.id, VALUES)
    # window=3: the newest three values 118.8, 95.04, 104.544; returns -0.20 and +0.10.
    body = client.get("/api/ai/risk-metrics?window=3", headers=account.headers).get_json()
    assert body["observations"] == 3 and body["window"] == 3
    assert body["var_95"] == pytest.approx(0.20)
    # mean = -0.05; deviations -0.15 and +0.15; sample variance = (0.0225 + 0.0225) / 1 = 0.045
    assert body["volatility"] == pytest.approx(math.sqrt(0.045) * math.sqrt(252))
    assert body["start"] == (DAY0 + timedelta(days=3)).isoformat()


def test_risk_free_rate_comes_from_the_configuration(db_url, make_account):
    from tests.conftest import make_app

    app = make_app(db_url, RISK_FREE_RATE="0.04")
    client = app.test_client()
    with app.app_context():
        from decimal import Decimal

        from quantum.auth import service as auth_service
        from quantum.auth.tokens import issue_tokens
        from quantum.extensions import db
        from quantum.portfolio.models import PortfolioSnapshot

        user = auth_service.create_user(session=db.session, data={"email": "rf@example.com",
                                                                    "password": "correct-horse-battery-9"})
        for i, value in enumerate(VALUES):
            db.session.add(PortfolioSnapshot(user_id=user.id, snapshot_data={}, total_value=Decimal(value),
                                             created_at=DAY0 + timedelta(days=i)))
        db.session.commit()
        headers = {"Authorization": "Bearer " + issue_tokens(user=user)["access_token"]}
    body = client.get("/api/ai/risk-metrics", headers=headers).get_json()
    assert body["risk_free_rate"] == 0.04
    assert body["sharpe_ratio"] == pytest.approx(SHARPE_RF4)
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("values", [[], ["100"]])
def test_fewer_than_two_snapshots_is_200_with_null_metrics_and_a_reason(client, make_account, add_snapshots, values):
    account = make_account()
    add_snapshots(account.id, values)
    response = client.get("/api/ai/risk-metrics", headers=account.headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["observations"] == len(values)
    for name in ("volatility", "var_95", "cvar_95", "max_drawdown", "sharpe_ratio"):
        assert body[name] is None
    assert body["reason"] == f"risk metrics need at least 2 portfolio snapshots; found {len(values)}"


def test_metrics_use_only_the_callers_snapshots(client, make_account, add_snapshots):
    owner, other = make_account(), make_account()
    add_snapshots(owner.id, VALUES)
    body = client.get("/api/ai/risk-metrics", headers=other.headers).get_json()
    assert body["observations"] == 0


def test_bad_window_is_422_naming_it(client, make_account):
    account = make_account()
    response = client.get("/api/ai/risk-metrics?window=1", headers=account.headers)
    assert response.status_code == 422
    assert "window" in response.get_json()["details"]
