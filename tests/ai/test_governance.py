"""Every policy rule trips with its message; every request is recorded; requests are private to their owner."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from quantum.ai import backtest, governance
from tests.ai.test_backtest import CLOSES, PARAMS

SMA, BREAKOUT, DCA = 1, 4, 6


def _backtest(client, account, template_id=SMA, **extra):
    body = {"template_id": template_id, "symbol": "TEST", "parameters": PARAMS if template_id == SMA else {}, **extra}
    return client.post("/api/ai/backtests", headers=account.headers, json=body)


@pytest.fixture
def bars(post_bars):
    post_bars("TEST", CLOSES)


def _requests(client, account, **query):
    response = client.get("/api/ai/requests", headers=account.headers, query_string=query)
    assert response.status_code == 200
    return response.get_json()["items"]


def test_min_tier_refuses_a_pro_template_to_a_free_account(client, make_account, bars):
    free = make_account()
    response = _backtest(client, free, BREAKOUT)
    assert response.status_code == 403
    body = response.get_json()
    assert body["error"] == "policy_violation" and body["details"]["rule"] == "min_tier"
    assert body["message"] == (
        "policy rule min_tier: template volatility_breakout needs the pro tier or above; this account is on free"
    )
    [record] = _requests(client, free)
    assert record["status"] == "rejected" and record["reason"] == body["message"]
    assert record["request_id"] == body["details"]["request_id"]
    # A pro account may run it.
    assert _backtest(client, make_account(tier="pro"), BREAKOUT, parameters={"lookback": 5}).status_code == 201


def test_allowed_templates_limits_a_user_to_the_listed_ones(client, make_account, set_user_policy, bars):
    account = make_account(tier="pro")
    set_user_policy(account.id, allowed_templates=["dollar_cost_averaging"])
    response = _backtest(client, account, SMA)
    assert response.status_code == 403
    body = response.get_json()
    assert body["details"]["rule"] == "allowed_templates"
    assert body["message"].startswith("policy rule allowed_templates: template sma_crossover is not among")
    assert "dollar_cost_averaging" in body["message"]
    assert _backtest(client, account, DCA).status_code == 201


def test_free_tier_gets_fewer_backtests_per_day_than_pro(client, make_account, bars):
    free, pro = make_account(), make_account(tier="pro")
    for _ in range(5):
        assert _backtest(client, free).status_code == 201
    before = datetime.now(UTC)
    response = _backtest(client, free)
    after = datetime.now(UTC)
    assert response.status_code == 429
    body = response.get_json()
    midnight = (before + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    assert body["error"] == "rate_limited" and body["details"]["rule"] == "daily_limit"
    assert body["details"]["limit"] == 5 and body["details"]["used"] == 5
    assert body["details"]["resets_at"] == midnight.isoformat()
    assert f"the limit resets at {midnight.isoformat()}" in body["message"]
    assert body["message"].startswith(
        "policy rule daily_limit: this account may make 5 requests per UTC day to /api/ai/backtests (tier:free) "
        "and has used 5; the limit resets at "
    )
    # retry_after is the seconds from the moment of the check to 00:00 UTC, bracketed by before and after.
    assert math.ceil((midnight - after).total_seconds()) <= body["retry_after"]
    assert body["retry_after"] <= math.ceil((midnight - before).total_seconds())
    assert response.headers["Retry-After"] == str(body["retry_after"])
    # The refused request is recorded, and does not count: the limit stays at 5 used.
    statuses = [r["status"] for r in _requests(client, free, endpoint="backtests")]
    assert statuses == ["rejected"] + ["executed"] * 5
    assert _backtest(client, free).get_json()["details"]["used"] == 5
    # Pro has 100 a day: the sixth is fine.
    for _ in range(6):
        assert _backtest(client, pro).status_code == 201


def test_yesterdays_requests_do_not_count(app, client, make_account, set_user_policy, bars):
    from quantum.ai.models import AIRequest
    from quantum.extensions import db

    account = make_account()
    set_user_policy(account.id, daily_limits={"backtests": 1})
    assert _backtest(client, account).status_code == 201
    assert _backtest(client, account).status_code == 429
    with app.app_context():  # move the executed request to yesterday
        for request in db.session.query(AIRequest).filter_by(user_id=account.id):
            request.created_at = request.created_at - timedelta(days=1)
        db.session.commit()
    assert _backtest(client, account).status_code == 201


def test_rejections_do_not_use_up_the_quota(client, make_account, set_user_policy, bars):
    account = make_account()
    set_user_policy(account.id, daily_limits={"backtests": 1})
    assert _backtest(client, account, BREAKOUT).status_code == 403  # min_tier
    assert _backtest(client, account, parameters={"fast": 0}).status_code == 422
    assert _backtest(client, account).status_code == 201


def test_cost_above_max_cost_is_rejected(client, make_account, set_user_policy, bars):
    account = make_account()
    # 15 bars cost 15 / 100 = 0.15 compute units; this user's ceiling is 0.1.
    set_user_policy(account.id, max_cost=Decimal("0.1"))
    response = _backtest(client, account)
    assert response.status_code == 403
    body = response.get_json()
    assert body["details"]["rule"] == "max_cost" and body["details"]["source"] == "user"
    assert body["message"].startswith(
        "policy rule max_cost: the estimated cost 0.15 compute units is above this account's limit of 0.1"
    )
    [record] = _requests(client, account)
    assert record["status"] == "rejected" and record["estimated_cost"] == "0.1500"
    # A narrower range costs less: 8 bars = 0.08.
    assert _backtest(client, account, end="2024-01-08").status_code == 201


def test_cost_above_approval_cost_waits_for_an_admin(client, make_account, admin, set_user_policy, bars):
    account = make_account()
    set_user_policy(account.id, approval_cost=Decimal("0.1"))
    response = _backtest(client, account)
    assert response.status_code == 202
    pending = response.get_json()
    assert pending["status"] == "pending"
    assert pending["reason"].startswith("policy rule approval_cost: the estimated cost 0.15 compute units is above 0.1")
    request_id = pending["request_id"]
    # Only an admin may approve.
    assert client.post(f"/api/ai/requests/{request_id}/approve", headers=account.headers).status_code == 403
    response = client.post(f"/api/ai/requests/{request_id}/approve", headers=admin.headers)
    assert response.status_code == 200
    assert response.get_json()["status"] == "executed"
    record = client.get(f"/api/ai/requests/{request_id}", headers=account.headers).get_json()
    assert record["status"] == "executed" and record["actual_cost"] == "0.1500"
    assert record["result"]["metrics"]["final_equity"] == "1041.66666667"
    # Approving twice is a conflict.
    assert client.post(f"/api/ai/requests/{request_id}/approve", headers=admin.headers).status_code == 409


def _crash(**_kwargs):
    raise RuntimeError("the strategy divided by zero")


def test_a_backtest_that_crashes_is_kept_as_failed_and_answers_500(client, make_account, monkeypatch, bars):
    account = make_account()
    monkeypatch.setattr(backtest, "run", _crash)
    response = _backtest(client, account)
    assert response.status_code == 500
    [record] = _requests(client, account)
    assert (record["status"], record["reason"]) == ("failed", "the backtest raised RuntimeError")


def test_an_approved_request_that_crashes_is_kept_as_failed_and_answers_500(
    client, make_account, admin, set_user_policy, monkeypatch, bars
):
    account = make_account()
    set_user_policy(account.id, approval_cost=Decimal("0.1"))
    request_id = _backtest(client, account).get_json()["request_id"]
    monkeypatch.setattr(backtest, "run", _crash)
    assert client.post(f"/api/ai/requests/{request_id}/approve", headers=admin.headers).status_code == 500
    record = client.get(f"/api/ai/requests/{request_id}", headers=account.headers).get_json()
    assert (record["status"], record["reason"]) == ("failed", "the backtest raised RuntimeError")


def test_an_approved_request_the_backtest_refuses_is_kept_as_rejected(
    client, make_account, admin, set_user_policy, monkeypatch, bars
):
    """The refusal is the request's outcome, not the approval's: 200, and the request says why."""
    account = make_account()
    set_user_policy(account.id, approval_cost=Decimal("0.1"))
    request_id = _backtest(client, account).get_json()["request_id"]

    def refuse(**_kwargs):
        raise backtest.DataError("the prices in this range are too extreme for an exact backtest")

    monkeypatch.setattr(backtest, "run", refuse)
    response = client.post(f"/api/ai/requests/{request_id}/approve", headers=admin.headers)
    assert response.status_code == 200
    assert (response.get_json()["status"], response.get_json()["reason"]) == (
        "rejected", "the prices in this range are too extreme for an exact backtest")
    record = client.get(f"/api/ai/requests/{request_id}", headers=account.headers).get_json()
    assert record["status"] == "rejected" and record["actual_cost"] == "0.0000"


def test_pending_requests_can_be_rejected_or_cancelled(client, make_account, admin, set_user_policy, bars):
    account = make_account()
    set_user_policy(account.id, approval_cost=Decimal("0.01"))
    first = _backtest(client, account).get_json()["request_id"]
    second = _backtest(client, account).get_json()["request_id"]
    response = client.post(f"/api/ai/requests/{first}/reject", headers=admin.headers, json={"note": "too big"})
    assert response.status_code == 200
    assert response.get_json()["status"] == "rejected" and response.get_json()["reason"] == "too big"
    response = client.post(f"/api/ai/requests/{second}/cancel", headers=account.headers)
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    assert client.post(f"/api/ai/requests/{second}/cancel", headers=account.headers).status_code == 409


def test_pending_requests_count_against_the_daily_limit(client, make_account, set_user_policy, bars):
    account = make_account()
    set_user_policy(account.id, approval_cost=Decimal("0.01"), daily_limits={"backtests": 1})
    assert _backtest(client, account).status_code == 202
    assert _backtest(client, account).status_code == 429


def test_user_policy_overrides_the_tier_field_by_field(app, make_account, set_user_policy):
    from quantum.auth.models import User
    from quantum.extensions import db

    account = make_account()
    set_user_policy(account.id, max_cost=Decimal("7"))
    with app.app_context():
        policy = governance.effective_policy(session=db.session, user=db.session.get(User, account.id))
    assert policy.max_cost == Decimal("7") and policy.sources["max_cost"] == "user"
    assert policy.daily_limits == {"backtests": 5, "risk-metrics": 1000}
    assert policy.sources["daily_limits"] == "tier:free"


def test_policy_route_shows_the_rules_and_todays_usage(client, make_account, bars):
    account = make_account()
    _backtest(client, account)
    body = client.get("/api/ai/policy", headers=account.headers).get_json()
    assert body["daily_limits"]["backtests"] == 5 and body["used_today"]["backtests"] == 1
    assert body["max_cost"] == "50.0000"


def test_risk_metrics_have_a_daily_limit_too(client, make_account, set_user_policy):
    account = make_account()
    set_user_policy(account.id, daily_limits={"risk-metrics": 2})
    for _ in range(2):
        assert client.get("/api/ai/risk-metrics", headers=account.headers).status_code == 200
    response = client.get("/api/ai/risk-metrics", headers=account.headers)
    assert response.status_code == 429
    assert "may make 2 requests per UTC day to /api/ai/risk-metrics (user)" in response.get_json()["message"]


def test_every_computation_is_recorded_and_private(client, make_account, bars):
    owner, other = make_account(), make_account()
    client.get("/api/ai/risk-metrics", headers=owner.headers)
    _backtest(client, owner)
    items = _requests(client, owner)
    assert [(i["endpoint"], i["model"], i["status"]) for i in items] == [
        ("backtests", "sma_crossover", "executed"),
        ("risk-metrics", "risk-metrics/historical-v1", "executed"),
    ]
    assert items[0]["parameters"]["parameters"] == PARAMS
    assert _requests(client, other) == []
    response = client.get(f"/api/ai/requests/{items[0]['request_id']}", headers=other.headers)
    assert response.status_code == 404
    assert client.post(f"/api/ai/requests/{items[0]['request_id']}/cancel", headers=other.headers).status_code == 404


def test_requests_page_newest_first(client, make_account):
    account = make_account()
    for _ in range(3):
        client.get("/api/ai/risk-metrics", headers=account.headers)
    page = client.get("/api/ai/requests?limit=2", headers=account.headers).get_json()
    assert len(page["items"]) == 2 and page["next_before"] == page["items"][-1]["request_id"]
    rest = client.get(f"/api/ai/requests?limit=2&before={page['next_before']}", headers=account.headers).get_json()
    assert len(rest["items"]) == 1 and rest["next_before"] is None


def test_next_utc_midnight():
    march_2 = datetime(2024, 3, 2, tzinfo=UTC)
    assert governance.next_utc_midnight(datetime(2024, 3, 1, 23, 59, 59, tzinfo=UTC)) == march_2
    assert governance.next_utc_midnight(datetime(2024, 3, 1, tzinfo=UTC)) == march_2


def test_concurrent_requests_cannot_overshoot_the_daily_limit(app, make_account, set_user_policy, bars, backend):
    import threading

    account = make_account()
    set_user_policy(account.id, daily_limits={"backtests": 2})
    barrier = threading.Barrier(6)
    statuses: list[int] = []

    def attempt() -> None:
        client = app.test_client()
        barrier.wait()
        statuses.append(_backtest(client, account).status_code)

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # PostgreSQL serializes on the user's row: exactly two run. SQLite may answer a loser 503 (busy) instead of 429.
    assert statuses.count(201) <= 2
    if backend == "postgresql":
        assert sorted(statuses) == [201, 201, 429, 429, 429, 429]
    else:
        assert set(statuses) <= {201, 429, 503}


def test_admins_manage_policies(client, admin, make_account, bars):
    account = make_account()
    url = f"/api/ai/policies/users/{account.id}"
    # Not for ordinary users.
    assert client.put(url, headers=account.headers, json={}).status_code == 403
    response = client.put(url, headers=admin.headers, json={"daily_limits": {"backtests": 1}, "max_cost": 10})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["daily_limits"] == {"backtests": 1} and response.get_json()["max_cost"] == "10.0000"
    assert _backtest(client, account).status_code == 201
    assert _backtest(client, account).status_code == 429
    assert client.delete(url, headers=admin.headers).status_code == 204
    assert _backtest(client, account).status_code == 201  # back to the free tier's 5 a day
    assert client.delete(url, headers=admin.headers).status_code == 404
    # Bad input names the field; unknown templates and users are refused.
    response = client.put(url, headers=admin.headers, json={"daily_limits": {"nope": 1}, "max_cost": -1})
    assert response.status_code == 422 and {"daily_limits", "max_cost"} <= set(response.get_json()["details"])
    response = client.put(url, headers=admin.headers, json={"allowed_templates": ["no_such_template"]})
    assert response.status_code == 422 and "allowed_templates" in response.get_json()["details"]
    assert client.put("/api/ai/policies/users/999999", headers=admin.headers, json={}).status_code == 404
    # A tier's policy is replaced whole.
    response = client.put("/api/ai/policies/tiers/free", headers=admin.headers, json={"daily_limits": {"backtests": 0}})
    assert response.status_code == 200
    assert _backtest(client, make_account()).status_code == 429
    assert client.put("/api/ai/policies/tiers/gold", headers=admin.headers, json={}).status_code == 422
    tiers = [p["tier"] for p in client.get("/api/ai/policies", headers=admin.headers).get_json()]
    assert tiers == ["free", "pro", "enterprise"]
