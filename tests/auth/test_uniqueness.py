"""Rules the database enforces under concurrency: case-insensitive usernames, the API-key cap, the last admin."""

from __future__ import annotations

import threading
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from quantum.auth.models import AccountStatus, ApiKey, ApiKeyStatus, User, UserRole
from quantum.extensions import db
from tests.auth.helpers import PASSWORD, api_key, assert_error, bearer, unique_email


def _at_once(calls) -> list:
    """Run each call in its own thread, released together; return their results in order."""
    start = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index: int) -> None:
        start.wait()
        results[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_usernames_differing_only_in_case_registered_at_once_exactly_one_wins(app, backend):
    stem = "Race" + uuid.uuid4().hex[:6]
    spellings = [stem, stem.lower(), stem.upper(), stem.swapcase(), stem[:1].lower() + stem[1:].upper()]

    def register(username: str):
        def call():
            response = app.test_client().post(
                "/api/auth/register", json={"email": unique_email(), "password": PASSWORD, "username": username}
            )
            return response.status_code, response.get_json()
        return call

    results = _at_once([register(name) for name in spellings])
    statuses = sorted(status for status, _ in results)
    assert statuses == [201, 409, 409, 409, 409], results
    assert all(body["error"] == "username_taken" for status, body in results if status == 409)
    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count()).select_from(User)
                                  .where(sa.func.lower(User.username) == stem.lower()))
    assert count == 1


def test_the_database_refuses_a_username_that_differs_only_in_case(app, backend):
    """The unique index on lower(username) exists at head on both backends, whoever inserts."""
    with app.app_context():
        db.session.add(User(email=unique_email(), username="CaseKey", password_hash="x"))
        db.session.commit()
        db.session.add(User(email=unique_email(), username="casekey", password_hash="x"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_parallel_api_key_creations_never_pass_the_cap(app, user_factory, backend):
    user = user_factory()
    headers = bearer(app, user)
    limit = app.config["QUANTUM_SETTINGS"].auth.api_keys_max_per_user
    for index in range(limit - 3):
        api_key(app, user, name=f"existing {index}")

    def create(index: int):
        def call():
            response = app.test_client().post("/api/auth/api-keys", headers=headers, json={"name": f"parallel {index}"})
            return response.status_code, response.get_json()
        return call

    results = _at_once([create(i) for i in range(10)])
    statuses = sorted(status for status, _ in results)
    assert statuses == [201] * 3 + [409] * 7, results
    assert all(body["error"] == "too_many_api_keys" for status, body in results if status == 409)
    with app.app_context():
        active = db.session.scalar(sa.select(sa.func.count()).select_from(ApiKey)
                                   .where(ApiKey.user_id == user.id, ApiKey.status == ApiKeyStatus.active))
    assert active == limit


def _active_admins(app) -> int:
    with app.app_context():
        db.session.rollback()
        return db.session.scalar(sa.select(sa.func.count()).select_from(User).where(
            User.role == UserRole.admin, User.account_status == AccountStatus.active))


@pytest.mark.parametrize("change", [{"role": "user"}, {"account_status": "suspended"}], ids=["demote", "suspend"])
def test_two_admins_demoting_each_other_at_once_leave_one_admin(app, user_factory, backend, change):
    for _attempt in range(3):
        with app.app_context():  # start from no admin at all, then exactly two
            db.session.execute(sa.update(User).values(role=UserRole.user))
            db.session.commit()
        first, second = user_factory(role="admin"), user_factory(role="admin")
        def demote(actor: User, target: User):
            headers = bearer(app, actor)
            return lambda: app.test_client().patch(f"/api/admin/users/{target.id}", headers=headers, json=change)

        responses = _at_once([demote(first, second), demote(second, first)])
        statuses = sorted(response.status_code for response in responses)
        seen = [(r.status_code, r.get_json()) for r in responses]
        # One wins. The other is refused either as the last admin (both passed the role check, the
        # lock decided) or, when the winner committed before its role check ran, as no longer an admin.
        assert statuses in ([200, 409], [200, 403]), seen
        loser = next(response for response in responses if response.status_code != 200)
        if loser.status_code == 409:
            assert "last active admin" in assert_error(loser, 409, "last_admin")["message"]
        else:
            assert loser.get_json()["error"] in {"insufficient_role", "account_suspended"}, seen
        assert _active_admins(app) == 1


@pytest.mark.parametrize("change", [{"role": "user"}, {"account_status": "suspended"}], ids=["demote", "suspend"])
def test_an_admin_who_passed_the_role_check_before_being_demoted_cannot_remove_the_last_admin(
        app, user_factory, backend, change):
    """The race's decisive order, made deterministic: both admins were authorized, the first change commits,
    then the second reaches the lock and finds its target the last active admin: 409 last_admin, nothing changed."""
    from quantum.auth import service
    from quantum.errors import Conflict

    with app.app_context():
        db.session.execute(sa.update(User).values(role=UserRole.user))
        db.session.commit()
    first, second = user_factory(role="admin"), user_factory(role="admin")
    with app.app_context():
        target_of_first, target_of_second = db.session.get(User, second.id), db.session.get(User, first.id)
        service.update_user(session=db.session, user=target_of_first, changes=change, actor_id=first.id)
        with pytest.raises(Conflict) as caught:
            service.update_user(session=db.session, user=target_of_second, changes=change, actor_id=second.id)
    assert (caught.value.error, caught.value.status) == ("last_admin", 409)
    assert caught.value.details == {"user_id": first.id, "changes": sorted(change)}
    assert "last active admin" in caught.value.message
    assert _active_admins(app) == 1


def test_demotions_one_after_another_are_allowed_while_an_admin_remains(app, client, user_factory, backend):
    with app.app_context():
        db.session.execute(sa.update(User).values(role=UserRole.user))
        db.session.commit()
    admin, other = user_factory(role="admin"), user_factory(role="admin")
    assert client.patch(f"/api/admin/users/{other.id}", headers=bearer(app, admin), json={"role": "user"}).status_code \
        == 200
    # `other` is no longer an admin; `admin` is the last one and nobody else may remove it.
    assert _active_admins(app) == 1
    promoted = user_factory(role="admin")
    assert client.patch(f"/api/admin/users/{admin.id}", headers=bearer(app, promoted),
                        json={"role": "user"}).status_code == 200
    assert_error(client.patch(f"/api/admin/users/{promoted.id}", headers=bearer(app, promoted),
                              json={"role": "user"}), 409, "cannot_modify_self")
    assert _active_admins(app) == 1


def test_migration_0006_renames_existing_case_duplicates_then_enforces(empty_db_url, backend):
    """A database at 0005 that already holds "Ada" and "ada" upgrades: the older keeps its name."""
    from quantum.config import load_settings
    from quantum.schema import ensure_app_schema
    from tests.conftest import ROOT, run_flask
    from tests.db.helpers import real_head

    result = run_flask(["db", "upgrade", "0005"], empty_db_url)
    assert result.returncode == 0, result.stderr
    engine = sa.create_engine(empty_db_url)
    try:
        with engine.begin() as connection:
            for email, username in (("a@example.com", "Ada"), ("b@example.com", "ada"), ("c@example.com", "Bob")):
                connection.exec_driver_sql(
                    "INSERT INTO users (email, username, password_hash, account_status, tier, role, created_at, "
                    f"updated_at) VALUES ('{email}', '{username}', 'x', 'active', 'free', 'user', CURRENT_TIMESTAMP, "
                    "CURRENT_TIMESTAMP)"
                )
        settings = load_settings({"DATABASE_URL": empty_db_url, "QUANTUM_ENV": "testing"},
                                 instance_path=str(ROOT / "instance"))
        upgraded = ensure_app_schema(settings)
        assert (upgraded.action, upgraded.revision_after, upgraded.drift) == ("upgraded", real_head(), []), upgraded
        with engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT id, username FROM users ORDER BY id").all()
        assert [name for _, name in rows] == ["Ada", f"ada-{rows[1][0]}", "Bob"]
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO users (email, username, password_hash, account_status, tier, role, created_at, updated_at) "
                "VALUES ('d@example.com', 'BOB', 'x', 'active', 'free', 'user', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
    finally:
        engine.dispose()
