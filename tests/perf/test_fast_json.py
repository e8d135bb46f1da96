"""The hand-built metrics body equals what the marshmallow schema dumps (the schema stays the documented contract)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from quantum.perf.seed import demo_email
from quantum.trading.schemas import MetricsOut, metrics_json
from tests.conftest import make_app


def test_metrics_json_matches_schema(db_url: str) -> None:
    from quantum.extensions import db
    from quantum.models import User
    from quantum.trading import service

    app = make_app(db_url)
    args = ["db-seed-demo", "--users", "2", "--snapshots-per-user", "1", "--orders-per-user", "80", "--bars", "0"]
    assert app.test_cli_runner().invoke(args=args).exit_code == 0
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == demo_email(42, 1))).one()
        for kwargs in ({}, {"date_from": date(2025, 3, 1), "date_to": date(2025, 9, 30)}):
            result = service.metrics(session=db.session, user=user, **kwargs)
            assert result["by_day"] and result["by_symbol"]
            assert metrics_json(result) == MetricsOut().dump(result)
        db.engine.dispose()
