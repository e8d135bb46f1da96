"""`flask users ...`: set status, tier and role with clear errors, audited."""

from __future__ import annotations

import sqlalchemy as sa

from quantum.auth.models import AuditLog, User
from quantum.extensions import db
from tests.auth.helpers import PASSWORD
from tests.conftest import run_flask


def _user(app, email: str) -> User:
    with app.app_context():
        return db.session.execute(sa.select(User).where(User.email == email)).scalar_one()


def test_set_status_tier_and_role(app, runner, user_factory, backend):
    user = user_factory()
    result = runner.invoke(args=["users", "set-status", user.email.upper(), "Suspended"])
    assert result.exit_code == 0, result.output
    assert "account_status active -> suspended" in result.output
    result = runner.invoke(args=["users", "set-tier", user.email, "enterprise"])
    assert result.exit_code == 0 and "tier free -> enterprise" in result.output
    result = runner.invoke(args=["users", "set-role", user.email, "admin"])
    assert result.exit_code == 0 and "role user -> admin" in result.output
    result = runner.invoke(args=["users", "set-role", user.email, "admin"])
    assert result.exit_code == 0 and "role unchanged" in result.output
    stored = _user(app, user.email)
    assert (stored.account_status.value, stored.tier.value, stored.role.value) == ("suspended", "enterprise", "admin")
    with app.app_context():
        entries = db.session.execute(
            sa.select(AuditLog).where(AuditLog.user_id == user.id, AuditLog.action.like("user.%_change"))
            .order_by(AuditLog.id)
        ).scalars().all()
    assert [(e.action, e.details["from"], e.details["to"], e.details["via"]) for e in entries] == [
        ("user.status_change", "active", "suspended", "cli"),
        ("user.tier_change", "free", "enterprise", "cli"),
        ("user.role_change", "user", "admin", "cli"),
    ]


def test_unknown_email_is_a_clear_error(runner, backend):
    result = runner.invoke(args=["users", "set-status", "ghost@example.com", "suspended"])
    assert result.exit_code == 1
    assert "no user with email 'ghost@example.com'" in result.output


def test_unknown_values_list_the_choices(runner, user_factory, backend):
    user = user_factory()
    for command, value, choices in (("set-status", "banned", "active"), ("set-tier", "gold", "enterprise"),
                                    ("set-role", "root", "admin")):
        result = runner.invoke(args=["users", command, user.email, value])
        assert result.exit_code == 2, result.output
        assert value in result.output and choices in result.output


def test_create_and_show(app, client, runner, backend):
    result = runner.invoke(args=["users", "create", "Root@Example.com", "--password", PASSWORD, "--role", "admin"])
    assert result.exit_code == 0, result.output
    assert "root@example.com" in result.output and "role=admin" in result.output
    assert client.post("/api/auth/login", json={"email": "root@example.com", "password": PASSWORD}).status_code == 200
    result = runner.invoke(args=["users", "show", "root@example.com"])
    assert result.exit_code == 0 and "status=active tier=free role=admin" in result.output
    again = runner.invoke(args=["users", "create", "root@example.com", "--password", PASSWORD])
    assert again.exit_code == 1 and "already exists" in again.output
    weak = runner.invoke(args=["users", "create", "weak@example.com", "--password", "short"])
    assert weak.exit_code == 1 and "at least 8 characters" in weak.output
    bad = runner.invoke(args=["users", "create", "not-an-email", "--password", PASSWORD])
    assert bad.exit_code == 2 and "email" in bad.output.lower()


def test_operator_cli_in_a_subprocess(db_url, app, user_factory, backend):
    user = user_factory()
    result = run_flask(["users", "set-status", user.email, "inactive"], db_url)
    assert result.returncode == 0, result.stderr
    assert "active -> inactive" in result.stdout
    assert _user(app, user.email).account_status.value == "inactive"
    result = run_flask(["users", "set-tier", "nobody@example.com", "pro"], db_url)
    assert result.returncode == 1 and "no user with email" in result.stderr
    assert "Traceback" not in result.stderr
