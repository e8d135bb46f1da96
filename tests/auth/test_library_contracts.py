"""Contracts with the library internals that quantum/auth/adapters relies on.

Each adapter touches private names of a pinned library (flask-jwt-extended, Flask-Limiter) to save
CPU on every request (the adapters' docstrings say what). These tests fail, naming the installed and
the pinned version, when an upgrade changes any of them: a name gone, a signature changed, or the
adapter no longer answering exactly as the library's public path does on real requests.

The adapters are imported inside the tests, so that a name an upgrade removed is reported here by a
failing test with that message, not only by an ImportError while collecting.
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from flask import Blueprint, Flask, g
from flask_jwt_extended import (
    JWTManager,
    create_access_token,
    create_refresh_token,
    get_current_user,
    get_jti,
    get_jwt,
    get_jwt_header,
    get_jwt_request_location,
    verify_jwt_in_request,
)
from flask_jwt_extended.exceptions import NoAuthorizationError
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from tests.auth.helpers import access_token, refresh_token
from tests.conftest import TEST_SECRET

REQUIREMENTS = Path(__file__).resolve().parents[2] / "requirements.txt"
JWT_ADAPTER = "quantum/auth/adapters/jwt_extended.py"
LIMITER_ADAPTER = "quantum/auth/adapters/flask_limiter.py"


def _library(name: str) -> str:
    """The library's name, its installed version and the one requirements.txt pins."""
    pinned = re.search(rf"^{re.escape(name)}==(\S+)", REQUIREMENTS.read_text(), re.MULTILINE | re.IGNORECASE)
    return f"{name} {version(name)} (requirements.txt pins {pinned[1] if pinned else 'no version'})"


JWT_LIB = _library("Flask-JWT-Extended")
LIMITER_LIB = _library("Flask-Limiter")


def _private(module: str, name: str, library: str, adapter: str) -> Any:
    """`module.name`, or a failure naming the library version and the adapter that needs it."""
    try:
        found = importlib.import_module(module)
    except ImportError as exc:
        pytest.fail(f"{library} has no module {module} ({exc}): {adapter} imports {name} from it")
    if not hasattr(found, name):
        pytest.fail(f"{library} has no {module}.{name}: {adapter} relies on it")
    return getattr(found, name)


# --- flask-jwt-extended: the names ---------------------------------------------------------------------

JWT_PRIVATE_FUNCTIONS = [
    ("flask_jwt_extended.view_decorators", "_decode_jwt_from_headers", []),
    ("flask_jwt_extended.view_decorators", "_load_user", ["jwt_header", "jwt_data"]),
    ("flask_jwt_extended.internal_utils", "verify_token_type", ["decoded_token", "refresh"]),
    ("flask_jwt_extended.internal_utils", "verify_token_not_blocklisted", ["jwt_header", "jwt_data"]),
    ("flask_jwt_extended.internal_utils", "custom_verification_for_token", ["jwt_header", "jwt_data"]),
    ("flask_jwt_extended.internal_utils", "get_jwt_manager", []),
    ("flask_jwt_extended.default_callbacks", "default_decode_key_callback", ["jwt_header", "jwt_data"]),
]


@pytest.mark.parametrize(("module", "name", "parameters"), JWT_PRIVATE_FUNCTIONS,
                         ids=[name for _module, name, _parameters in JWT_PRIVATE_FUNCTIONS])
def test_flask_jwt_extended_private_functions_keep_their_signatures(module: str, name: str,
                                                                     parameters: list[str]) -> None:
    function = _private(module, name, JWT_LIB, JWT_ADAPTER)
    actual = list(inspect.signature(function).parameters)
    assert actual == parameters, (
        f"{JWT_LIB} changed {module}.{name}: parameters {actual}, {JWT_ADAPTER} passes {parameters}"
    )


def test_flask_jwt_extended_config_still_names_the_exempt_methods() -> None:
    config = _private("flask_jwt_extended.config", "config", JWT_LIB, JWT_ADAPTER)
    exempt = inspect.getattr_static(type(config), "exempt_methods", None)
    assert isinstance(exempt, property), f"{JWT_LIB}: config.exempt_methods is no longer a property ({exempt!r})"


def test_the_decode_key_loader_is_still_kept_where_the_adapter_looks() -> None:
    from quantum.auth.adapters.jwt_extended import uses_default_decode_key

    default = _private("flask_jwt_extended.default_callbacks", "default_decode_key_callback", JWT_LIB, JWT_ADAPTER)
    app = Flask("contract")
    app.config["JWT_SECRET_KEY"] = TEST_SECRET
    manager = JWTManager(app)
    assert getattr(manager, "_decode_key_callback", None) is default, (
        f"{JWT_LIB}: a new JWTManager no longer keeps default_decode_key_callback in _decode_key_callback"
    )
    with app.app_context():
        assert uses_default_decode_key()
        # The memo remembers a signature check only while no custom key loader is set: if the library kept
        # the loader elsewhere, a rotated key would no longer refuse a remembered token.
        manager.decode_key_loader(lambda _header, _payload: TEST_SECRET)
        assert not uses_default_decode_key(), (
            f"{JWT_LIB}: decode_key_loader no longer sets JWTManager._decode_key_callback; "
            f"{JWT_ADAPTER} would let the token memo outlive a key rotation"
        )


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_exempt_methods_are_those_verify_jwt_in_request_lets_through(method: str) -> None:
    from quantum.auth.adapters.jwt_extended import is_exempt_method

    app = _jwt_app()
    with app.test_request_context("/", method=method):
        try:
            exempt_by_library = verify_jwt_in_request() is None
        except NoAuthorizationError:
            exempt_by_library = False
        assert is_exempt_method(method) is exempt_by_library, (
            f"{JWT_LIB}: verify_jwt_in_request {'lets' if exempt_by_library else 'no longer lets'} {method} "
            f"through without a token, config.exempt_methods says otherwise"
        )


# --- flask-jwt-extended: the same answers as verify_jwt_in_request ---------------------------------------


def _jwt_app(**config: Any) -> Flask:
    """A bare app with its own JWTManager, callbacks that record their calls, and the token memo."""
    from quantum.auth.jwtverify import install_token_verifier

    app = Flask("contract")
    app.config.update(JWT_SECRET_KEY=TEST_SECRET, **config)
    manager = JWTManager(app)
    calls: list[tuple[str, dict, dict]] = []
    revoked: set[str] = set()

    @manager.token_in_blocklist_loader
    def _blocklisted(header: dict, data: dict) -> bool:
        calls.append(("blocklist", dict(header), dict(data)))
        return data["jti"] in revoked

    @manager.user_lookup_loader
    def _user(header: dict, data: dict) -> dict | None:
        calls.append(("user_lookup", dict(header), dict(data)))
        return None if data["sub"] == "ghost" else {"id": data["sub"]}

    @manager.token_verification_loader
    def _claims(header: dict, data: dict) -> bool:
        calls.append(("claims", dict(header), dict(data)))
        return not data.get("deny")

    install_token_verifier(app)
    app.extensions["contract"] = {"calls": calls, "revoked": revoked, "manager": manager}
    return app


def _answer(call: Callable[[], Any]) -> tuple:
    """What `call` returned, or the exception it raised with everything a handler reads from it."""
    try:
        return ("returned", call())
    except Exception as exc:  # noqa: BLE001 - the exception is the answer being compared
        return ("raised", type(exc).__name__, str(exc), getattr(exc, "jwt_header", None),
                getattr(exc, "jwt_data", None))


def _outcome(app: Flask, verify: Callable[..., Any], request: dict[str, Any]) -> dict[str, Any]:
    """One request through `verify`: its answer, the callbacks it ran, what it left in `g` and the getters say."""
    calls = app.extensions["contract"]["calls"]
    calls.clear()
    refresh = request.get("refresh", False)
    with app.test_request_context(request.get("path", "/"), method=request.get("method", "GET"),
                                  headers=request.get("headers", {})):
        answer = _answer(lambda: verify(refresh=refresh))
        return {
            "answer": answer,
            "callbacks": list(calls),
            "g": dict(vars(g)),
            "getters": [_answer(getter) for getter in (get_jwt, get_jwt_header, get_jwt_request_location,
                                                       get_current_user)],
        }


def _public(refresh: bool = False) -> Any:
    return verify_jwt_in_request(refresh=refresh)


def _token(app: Flask, make: Callable[..., str] = create_access_token, identity: str = "7", **kwargs: Any) -> str:
    with app.app_context():
        return make(identity=identity, **kwargs)


def _bearer(token: str) -> dict[str, Any]:
    return {"headers": {"Authorization": f"Bearer {token}"}}


def _revoked(app: Flask) -> dict[str, Any]:
    token = _token(app)
    with app.app_context():
        app.extensions["contract"]["revoked"].add(get_jti(token))
    return _bearer(token)


def _custom_key(app: Flask) -> dict[str, Any]:
    app.extensions["contract"]["manager"].decode_key_loader(lambda _header, _payload: TEST_SECRET)
    return _bearer(_token(app))


@dataclass(frozen=True)
class Case:
    """A request, and what verify_jwt_in_request answers it (checked too, so no case passes by accident)."""

    name: str
    expect: str  # "returned" or the exception class verify_jwt_in_request raises
    request: Callable[[Flask], dict[str, Any]]
    config: dict[str, Any] = field(default_factory=dict)


OTHER_KEY = "another-secret-key-that-is-long-enough-0123456789"

CASES = [
    Case("valid_access", "returned", lambda app: _bearer(_token(app))),
    Case("valid_refresh", "returned", lambda app: {**_bearer(_token(app, create_refresh_token)), "refresh": True}),
    Case("refresh_token_for_access", "WrongTokenError", lambda app: _bearer(_token(app, create_refresh_token))),
    Case("access_token_for_refresh", "WrongTokenError", lambda app: {**_bearer(_token(app)), "refresh": True}),
    Case("expired", "ExpiredSignatureError", lambda app: _bearer(_token(app, expires_delta=timedelta(seconds=-30)))),
    Case("expired_within_leeway", "returned", lambda app: _bearer(_token(app, expires_delta=timedelta(seconds=-30))),
         {"JWT_DECODE_LEEWAY": 300}),
    Case("revoked", "RevokedTokenError", _revoked),
    Case("missing", "NoAuthorizationError", lambda app: {}),
    Case("other_scheme", "NoAuthorizationError", lambda app: {"headers": {"Authorization": "Basic dXNlcjpwdw=="}}),
    Case("malformed_header", "InvalidHeaderError", lambda app: {"headers": {"Authorization": "Bearer a b"}}),
    Case("several_header_values", "returned",
         lambda app: {"headers": {"Authorization": f"Basic dXNlcjpwdw==, Bearer {_token(app)}"}}),
    Case("not_a_jwt", "DecodeError", lambda app: {"headers": {"Authorization": "Bearer not-a-jwt"}}),
    Case("bad_signature", "InvalidSignatureError", lambda app: _bearer(_other_key_token())),
    Case("unknown_user", "UserLookupError", lambda app: _bearer(_token(app, identity="ghost"))),
    Case("claims_refused", "UserClaimsVerificationError",
         lambda app: _bearer(_token(app, additional_claims={"deny": True}))),
    Case("options_without_token", "returned", lambda app: {"method": "OPTIONS"}),
    Case("location_as_a_string", "returned", lambda app: _bearer(_token(app)), {"JWT_TOKEN_LOCATION": "headers"}),
    Case("token_in_the_query_string", "returned", lambda app: {"path": f"/?jwt={_token(app)}"},
         {"JWT_TOKEN_LOCATION": ["headers", "query_string"]}),
    Case("refresh_token_in_the_query_string", "returned",
         lambda app: {"path": f"/?jwt={_token(app, create_refresh_token)}", "refresh": True},
         {"JWT_TOKEN_LOCATION": ["headers", "query_string"]}),
    Case("custom_decode_key", "returned", _custom_key),
]


def _other_key_token() -> str:
    other = Flask("other")
    other.config["JWT_SECRET_KEY"] = OTHER_KEY
    JWTManager(other)
    return _token(other)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_the_adapter_answers_as_verify_jwt_in_request(case: Case) -> None:
    from quantum.auth.jwtverify import verify_jwt

    app = _jwt_app(**case.config)
    request = case.request(app)
    expected = _outcome(app, _public, request)
    assert expected["answer"][0] == case.expect or expected["answer"][1] == case.expect, expected["answer"]
    # First a full decode, then (for a token that passed) the remembered signature check.
    for attempt in ("first", "remembered"):
        actual = _outcome(app, verify_jwt, request)
        for part in expected:
            assert actual[part] == expected[part], (
                f"{JWT_LIB}: {JWT_ADAPTER} and verify_jwt_in_request differ on {case.name} ({attempt} request), "
                f"{part}:\n  adapter: {actual[part]}\n  library: {expected[part]}"
            )


@pytest.mark.parametrize("location", ["headers", ["headers"], ("headers",)], ids=["string", "list", "tuple"])
def test_header_tokens_take_the_fast_path(location: Any) -> None:
    """The adapter is worth its coupling only if it is used: a headers-only app remembers the token."""
    from quantum.auth.jwtverify import verify_jwt

    app = _jwt_app(JWT_TOKEN_LOCATION=location)
    token = _token(app)
    with app.test_request_context("/", headers={"Authorization": f"Bearer {token}"}):
        verify_jwt()
    assert list(app.extensions["quantum_verified_tokens"]._tokens) == [token]


def test_a_token_inside_the_leeway_is_answered_from_the_memo(monkeypatch) -> None:
    """The memo's window reads JWT_DECODE_LEEWAY, the setting flask-jwt-extended hands PyJWT as its leeway."""
    from flask_jwt_extended import decode_token

    from quantum.auth import jwtverify

    app = _jwt_app(JWT_DECODE_LEEWAY=300)
    token = _token(app, expires_delta=timedelta(seconds=-30))
    decoded: list[str] = []
    monkeypatch.setattr(jwtverify, "decode_token", lambda encoded: decoded.append(encoded) or decode_token(encoded))
    for _ in range(2):
        with app.test_request_context("/", headers={"Authorization": f"Bearer {token}"}):
            assert jwtverify.verify_jwt() is not None  # accepted: the library read the leeway
    assert decoded == [token], f"{JWT_LIB}: JWT_DECODE_LEEWAY is no longer the leeway flask-jwt-extended decodes with"


def test_other_locations_take_the_public_path() -> None:
    from quantum.auth.jwtverify import verify_jwt

    app = _jwt_app(JWT_TOKEN_LOCATION=["headers", "cookies"])
    with app.test_request_context("/", headers={"Authorization": f"Bearer {_token(app)}"}):
        verify_jwt()
    assert not app.extensions["quantum_verified_tokens"]._tokens


def _me(client: Any, token: str) -> tuple[int, Any]:
    response = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.get_json()


def test_the_app_answers_alike_through_the_adapter_and_the_public_path(app, client, user_factory, backend,
                                                                        monkeypatch):
    """The real app (its callbacks and error handlers, both databases): every answer is the public path's."""
    from quantum.auth import decorators
    from quantum.auth.models import User
    from quantum.extensions import db

    user, gone = user_factory(), user_factory()
    valid, expired = access_token(app, user), access_token(app, user, expires_delta=timedelta(seconds=-30))
    revoked, refresh, orphan = access_token(app, user), refresh_token(app, user), access_token(app, gone)
    assert client.post("/api/auth/logout", headers={"Authorization": f"Bearer {revoked}"}).status_code == 200
    with app.app_context():
        db.session.delete(db.session.get(User, gone.id))
        db.session.commit()

    def answers() -> list[tuple[int, Any]]:
        found = [_me(client, token) for token in (valid, valid, expired, revoked, refresh, orphan)]
        found.append(_me(client, "not-a-jwt"))
        missing = client.get("/api/auth/me")
        found.append((missing.status_code, missing.get_json()))
        wrong_type = client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {valid}"})
        return [*found, (wrong_type.status_code, wrong_type.get_json())]

    through_adapter = answers()
    monkeypatch.setattr(decorators, "verify_jwt", _public)
    through_library = answers()
    assert through_adapter == through_library, f"{JWT_LIB}: {JWT_ADAPTER} answers differently from the library"
    errors = [body["error"] for _status, body in through_library[2:]]
    assert [status for status, _body in through_library[:2]] == [200, 200]
    assert errors == ["token_expired", "token_revoked", "wrong_token_type", "user_not_found", "invalid_token",
                      "missing_credentials", "wrong_token_type"]


# --- Flask-Limiter: the names ----------------------------------------------------------------------------


def test_the_request_hook_keeps_its_signature_and_is_what_init_app_registers() -> None:
    hook = getattr(_private("flask_limiter", "Limiter", LIMITER_LIB, LIMITER_ADAPTER), "_check_request_limit", None)
    assert hook is not None, f"{LIMITER_LIB} has no Limiter._check_request_limit: {LIMITER_ADAPTER} gates it"
    parameters = {name: p.default for name, p in inspect.signature(hook).parameters.items()}
    assert parameters == {"self": inspect.Parameter.empty, "callable_name": None, "in_middleware": True}, (
        f"{LIMITER_LIB} changed Limiter._check_request_limit{inspect.signature(hook)}: {LIMITER_ADAPTER} calls it "
        "without arguments as the before_request hook"
    )
    limiter, app = _limited_app()
    from quantum.auth.adapters.flask_limiter import library_request_hook

    assert library_request_hook(limiter) in app.before_request_funcs.get(None, []), (
        f"{LIMITER_LIB}: init_app no longer registers Limiter._check_request_limit with before_request"
    )


LIMITER_ATTRIBUTES = [
    ("limiter", "_meta_limits"), ("limiter", "_in_memory_fallback_enabled"), ("limiter", "_key_prefix"),
    ("manager", "_application_limits"), ("manager", "_default_limits"), ("manager", "_blueprint_limits"),
]


@pytest.mark.parametrize(("owner", "name"), LIMITER_ATTRIBUTES, ids=[name for _owner, name in LIMITER_ATTRIBUTES])
def test_flask_limiter_private_attributes_exist(owner: str, name: str) -> None:
    limiter = Limiter(key_func=get_remote_address, storage_uri="memory://")
    manager = getattr(limiter, "limit_manager", None)
    assert manager is not None, f"{LIMITER_LIB} has no Limiter.limit_manager: {LIMITER_ADAPTER} reads it"
    target = limiter if owner == "limiter" else manager
    assert hasattr(target, name), f"{LIMITER_LIB} has no {type(target).__name__}.{name}: {LIMITER_ADAPTER} reads it"


# --- Flask-Limiter: the same answers with and without the gate -------------------------------------------


def open_view() -> str:
    return "open"


def limited_view() -> str:
    return "limited"


def exempt_view() -> str:
    return "exempt"


def inside_view() -> str:
    return "inside"


def _limited_app(gated: bool = False, config: dict[str, Any] | None = None, blueprint_limit: bool = False,
                 **options: Any) -> tuple[Limiter, Flask]:
    """A bare app with its own Limiter: an open route, a decorated one, an exempt one and a blueprint's."""
    from quantum.auth.adapters.flask_limiter import gate_request_hook

    limiter = Limiter(key_func=get_remote_address, **{"storage_uri": "memory://", **options})
    app = Flask("contract")
    app.config.update(config or {})
    app.add_url_rule("/open", "open", open_view)
    app.add_url_rule("/limited", "limited", limiter.limit("2 per minute")(limited_view))
    app.add_url_rule("/exempt", "exempt", limiter.exempt(exempt_view))
    blueprint = Blueprint("bp", "contract")
    blueprint.add_url_rule("/inside", "inside", inside_view)
    if blueprint_limit:
        limiter.limit("1 per minute")(blueprint)
    app.register_blueprint(blueprint)
    limiter.init_app(app)
    if gated:
        gate_request_hook(app, limiter)
    return limiter, app


def _statuses(app: Flask) -> list[tuple[str, int]]:
    client = app.test_client()
    return [(path, client.get(path).status_code) for path in ["/open", "/limited", "/exempt", "/inside"] * 3]


KINDS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {  # name: (_limited_app options, app config)
    "none": ({}, {}),
    "default": ({"default_limits": ["2 per minute"]}, {}),
    "application": ({"application_limits": ["5 per minute"]}, {}),
    "meta": ({"meta_limits": ["1 per minute"]}, {}),
    "config_default": ({}, {"RATELIMIT_DEFAULT": "2 per minute"}),
    "config_application": ({}, {"RATELIMIT_APPLICATION": "5 per minute"}),
    "config_meta": ({}, {"RATELIMIT_META": "1 per minute"}),
    "blueprint": ({"blueprint_limit": True}, {}),
    # Storage down: every limit moves to the in-memory fallback, which only the before_request hook checks.
    "fallback": ({"storage_uri": "redis://127.0.0.1:1", "in_memory_fallback": ["2 per minute"],
                  "storage_options": {"socket_connect_timeout": 0.5}}, {}),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_gate_changes_no_answer(kind: str) -> None:
    options, config = KINDS[kind]
    limiter, gated_app = _limited_app(gated=True, config=config, **options)
    from quantum.auth.adapters.flask_limiter import needs_request_hook

    assert needs_request_hook(limiter) is (kind != "none"), (
        f"{LIMITER_LIB}: {LIMITER_ADAPTER} no longer sees {kind} limits, which only the before_request hook enforces"
    )
    _, ungated_app = _limited_app(gated=False, config=config, **options)
    gated, ungated = _statuses(gated_app), _statuses(ungated_app)
    assert gated == ungated, f"{LIMITER_LIB}: with {kind} limits the gate changes answers:\n  {gated}\n  {ungated}"
    assert ("/limited", 429) in ungated, ungated  # the decorated limit is enforced, with or without the hook
    assert all(status == 200 for path, status in ungated if path == "/exempt") or kind == "fallback", ungated
    if kind != "none":
        assert [status for path, status in ungated if path != "/limited"].count(429), (
            f"{kind} limits enforced nowhere: the case tests nothing"
        )


def test_decorated_limits_need_no_request_hook() -> None:
    """What the gate relies on: a decorated view checks its own limit, even with the hook gone entirely."""
    from quantum.auth.adapters.flask_limiter import library_request_hook

    limiter, app = _limited_app()
    app.before_request_funcs[None].remove(library_request_hook(limiter))
    client = app.test_client()
    assert [client.get("/limited").status_code for _ in range(3)] == [200, 200, 429], (
        f"{LIMITER_LIB}: a decorated limit is no longer enforced by its decorator; {LIMITER_ADAPTER} must not "
        "skip the before_request hook"
    )


def test_the_gate_refuses_an_app_without_the_hook() -> None:
    from quantum.auth.adapters.flask_limiter import gate_request_hook

    limiter = Limiter(key_func=get_remote_address, storage_uri="memory://")
    with pytest.raises(RuntimeError, match=rf"Flask-Limiter {re.escape(version('Flask-Limiter'))} registered no"):
        gate_request_hook(Flask("unbound"), limiter)


def _counted_key(limiter: Limiter, prefix: str, forget: bool) -> str:
    """The storage key a decorated limit counts under, in a new app with RATELIMIT_KEY_PREFIX=`prefix`."""
    from quantum.auth.adapters.flask_limiter import forget_key_prefix

    app = Flask(f"contract-{prefix}")
    app.config["RATELIMIT_KEY_PREFIX"] = prefix
    app.add_url_rule("/limited", "limited", limiter.limit("5 per minute")(lambda: limiter.current_limit.key))
    if forget:
        forget_key_prefix(limiter)
    limiter.init_app(app)
    return app.test_client().get("/limited").get_data(as_text=True)


def test_each_app_counts_under_its_own_key_prefix() -> None:
    limiter = Limiter(key_func=get_remote_address, storage_uri="memory://")
    assert _counted_key(limiter, "first", forget=True).split("/")[1] == "first"
    assert _counted_key(limiter, "second", forget=True).split("/")[1] == "second"
    # Why forget_key_prefix exists: without it init_app keeps the prefix it already has.
    kept = _counted_key(limiter, "third", forget=False).split("/")[1]
    assert kept == "second", (
        f"{LIMITER_LIB}: init_app now reads RATELIMIT_KEY_PREFIX even when it has one ({kept!r}); "
        f"forget_key_prefix in {LIMITER_ADAPTER} may no longer be needed"
    )
