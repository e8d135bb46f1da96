"""The Python client generated from the OpenAPI document (openapi-python-client), as an API user would use it.

The client is generated from the code's document into a temporary directory: the generator must print
no warning and keep every operation and every schema; the committed clients/python/ must be what
`make client` writes; the document must be valid OpenAPI and fully typed; and a real flow runs through
the installed client against gunicorn, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from openapi_spec_validator import validate

from quantum.openapi import DOCUMENT_PATH, build_document, render_document
from tests.client.generated import COMMITTED, GENERATING, PACKAGE, Generation, generate, gunicorn, imported, install, tree
from tests.conftest import make_app

METHODS = ("get", "put", "post", "delete", "patch")
COMBINATORS = ("$ref", "allOf", "anyOf", "oneOf")
#: Objects whose keys and values are free-form JSON by design (`additionalProperties: {}`).
FREE_FORM_MAPS = {
    "Error.details",  # per error: each bad field for 422, the conflicting ids for 409, ...
    "AuditEntry.details",  # per audited action
    "Request.parameters", "RequestDetail.parameters",  # per AI endpoint
    "RequestDetail.result",  # per AI endpoint
    "Ready.database",
}
PASSWORD = "correct-horse-42"


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The code's document (what `flask openapi write` commits)."""
    app = make_app(f"sqlite:///{tmp_path_factory.mktemp('client-doc') / 'doc.db'}")
    return build_document(app)


@pytest.fixture(scope="module")
def generation(document: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Generation:
    """The client generated from the code's document into a temporary directory."""
    root = tmp_path_factory.mktemp("client-gen")
    path = root / "openapi.json"
    path.write_text(render_document(document), encoding="utf-8")
    return generate(path, root / "python")


@pytest.fixture(scope="module")
def client_package(generation: Generation, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The generated client, pip-installed (no dependencies) into a temporary target and imported from there."""
    assert generation.returncode == 0, generation.output
    target = tmp_path_factory.mktemp("client-site")
    install(generation.path, target)
    with imported(target) as package:
        yield package


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


# --- the document ----------------------------------------------------------------------------------


def test_the_document_is_valid_openapi(document):
    validate(document)
    validate(json.loads(DOCUMENT_PATH.read_text(encoding="utf-8")))


def _untyped(node: Any, where: str, problems: list[str]) -> None:
    """Collect each schema under `node` that a generator cannot type."""
    if not isinstance(node, dict):
        problems.append(f"{where}: not a schema")
        return
    if not any(key in node for key in ("type", *COMBINATORS)):
        problems.append(f"{where}: no type")
    if node.get("type") == "array" and "items" not in node:
        problems.append(f"{where}: an array without items")
    if node.get("type") == "object" and "properties" not in node and "additionalProperties" not in node:
        problems.append(f"{where}: an object without properties or additionalProperties")
    for name, prop in node.get("properties", {}).items():
        _untyped(prop, f"{where}.{name}", problems)
    if "items" in node:
        _untyped(node["items"], f"{where}[]", problems)
    extra = node.get("additionalProperties")
    if extra == {}:
        if where.removeprefix("#/components/schemas/") not in FREE_FORM_MAPS:
            problems.append(f"{where}: a map of untyped values (give the Dict `values=` or a nested schema)")
    elif isinstance(extra, dict):
        _untyped(extra, f"{where}{{}}", problems)
    for combinator in ("allOf", "anyOf", "oneOf"):
        for index, branch in enumerate(node.get(combinator, [])):
            _untyped(branch, f"{where}/{combinator}/{index}", problems)


def _schemas(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, schema in document["components"]["schemas"].items():
        yield f"#/components/schemas/{name}", schema
    for path, method, operation in _operations(document):
        where = f"{method.upper()} {path}"
        for parameter in operation.get("parameters", []):
            yield f"{where} ({parameter['in']} {parameter['name']})", parameter["schema"]
        for media in operation.get("requestBody", {}).get("content", {}).values():
            yield f"{where} body", media["schema"]
        for code, response in operation["responses"].items():
            for media in response.get("content", {}).values():
                yield f"{where} {code}", media["schema"]


def test_every_schema_is_typed(document):
    problems: list[str] = []
    for where, schema in _schemas(document):
        _untyped(schema, where, problems)
    assert not problems, "untyped schemas (fix the marshmallow fields):\n" + "\n".join(problems)


def _inline_enums(node: Any, where: str) -> Iterator[str]:
    if isinstance(node, dict):
        if "enum" in node:
            yield where
        for key, value in node.items():
            yield from _inline_enums(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _inline_enums(value, f"{where}/{index}")


def test_enums_are_named_shared_schemas(document):
    schemas = document["components"]["schemas"]
    inline = [where for name, schema in schemas.items()
              for where in _inline_enums({k: v for k, v in schema.items() if k != "enum"}, name)]
    inline += list(_inline_enums(document["paths"], "paths"))
    assert not inline, ("enums inlined in a schema: use fields.Enum, or quantum.openapi.string_enum(name, values) "
                        "for a string field\n" + "\n".join(inline))
    enums = {name for name, schema in schemas.items() if "enum" in schema}
    assert {"Tier", "OrderSide", "OrderStatus", "RequestStatus", "Scope", "Currency"} <= enums
    used = json.dumps(document)
    assert all(used.count(f'"#/components/schemas/{name}"') >= 1 for name in enums)
    # One Tier for every place a tier appears: users, templates, policies, the template filter.
    assert used.count('"#/components/schemas/Tier"') >= 5


def test_snapshots_document_their_holdings(document):
    schemas = document["components"]["schemas"]
    holdings = schemas["SnapshotOut"]["properties"]["holdings"]
    assert holdings == {"type": "array", "items": {"$ref": "#/components/schemas/HoldingOut"}}
    holding = schemas["HoldingOut"]["properties"]
    assert holding["quantity"]["type"] == "string" and holding["quantity"]["format"] == "decimal"
    assert schemas["SnapshotPage"]["properties"]["items"]["items"] == {"$ref": "#/components/schemas/SnapshotOut"}


# --- the generator ---------------------------------------------------------------------------------


def test_the_generator_prints_no_warning(generation: Generation):
    lines = [line for line in generation.output.splitlines() if line.strip()]
    assert generation.returncode == 0 and lines == [GENERATING.format(path=generation.path)], (
        f"openapi-python-client warned (exit {generation.returncode}):\n{generation.output}"
    )


def _module_name(operation_id: str) -> str:
    return re.sub(r"[^a-z0-9_]", "_", operation_id.lower())


def test_the_client_keeps_every_operation_and_schema(document, generation: Generation):
    package = generation.path / PACKAGE
    generated = {path.stem: path for path in (package / "api").glob("*/*.py") if path.stem != "__init__"}
    operations = {_module_name(operation["operationId"]): f"{method.upper()} {path}"
                  for path, method, operation in _operations(document)}
    missing = sorted(where for name, where in operations.items() if name not in generated)
    assert not missing, f"operations the generator dropped: {missing}"
    assert len(generated) == len(operations) == 42, (len(generated), len(operations))
    dropped_responses = []
    for path, method, operation in _operations(document):
        source = generated[_module_name(operation["operationId"])].read_text()
        assert "def sync_detailed(" in source, operation["operationId"]
        parsed = set(re.findall(r"response\.status_code == (\d+)", source))
        dropped_responses += [f"{method.upper()} {path} {code}" for code in operation["responses"] if code not in parsed]
    assert not dropped_responses, f"responses the generator dropped: {dropped_responses}"
    models = (package / "models" / "__init__.py").read_text()
    exported = set(re.findall(r'"(\w+)"', models.split("__all__", 1)[1]))
    dropped = sorted(name for name in document["components"]["schemas"] if name not in exported)
    assert not dropped, f"schemas the generator dropped: {dropped}"


def test_the_committed_client_is_what_make_client_writes(generation: Generation):
    assert generation.returncode == 0, generation.output
    committed, fresh = tree(COMMITTED), tree(generation.path)
    stale = sorted(name for name in committed.keys() | fresh.keys() if committed.get(name) != fresh.get(name))
    assert not stale, f"clients/python is stale or hand-edited: run `make client` and commit it ({stale[:10]})"


# --- a real flow through the client ----------------------------------------------------------------


def _ok(response: Any, status: int) -> Any:
    assert response.status_code == status, (response.status_code, response.content[:2000])
    return response.parsed


@pytest.mark.slow
def test_a_trading_flow_through_the_generated_client(client_package, backend, db_url, tmp_path: Path):
    from quantumleap_client import AuthenticatedClient, Client
    from quantumleap_client.api.ai import get_api_ai_risk_metrics
    from quantumleap_client.api.auth import post_api_auth_login, post_api_auth_register
    from quantumleap_client.api.portfolio import (
        get_api_portfolio_balance,
        get_api_portfolio_latest,
        get_api_portfolio_snapshots,
        post_api_portfolio_deposits,
        post_api_portfolio_snapshots,
    )
    from quantumleap_client.api.trading import get_api_trading_positions, post_api_trading_orders
    from quantumleap_client.models import (
        DepositIn,
        Error,
        HoldingIn,
        HoldingOut,
        Login,
        OrderIn,
        OrderOut,
        OrderSide,
        OrderStatus,
        PositionOut,
        Register,
        RiskMetrics,
        Scope,
        SnapshotIn,
        SnapshotOut,
        SnapshotPage,
        Tier,
        Token,
    )

    with gunicorn(db_url, tmp_path / "gunicorn.log") as server:
        anonymous = Client(base_url=server.url, raise_on_unexpected_status=True)
        email = f"client-{backend}@example.com"
        user = _ok(post_api_auth_register.sync_detailed(client=anonymous, body=Register(email=email,
                                                                                        password=PASSWORD)), 201)
        assert user.email == email and user.tier is Tier.FREE
        token = _ok(post_api_auth_login.sync_detailed(client=anonymous, body=Login(email=email, password=PASSWORD)),
                    200)
        assert isinstance(token, Token) and Scope.TRADINGWRITE in token.scopes
        api = AuthenticatedClient(base_url=server.url, token=token.access_token, raise_on_unexpected_status=True)

        deposit = _ok(post_api_portfolio_deposits.sync_detailed(
            client=api, body=DepositIn(amount="10000.00", tx_hash="clientflow0001")), 201)
        assert deposit.amount == "10000.00000000"
        # 409: the same transaction credited twice, read back as the one error schema.
        conflict = _ok(post_api_portfolio_deposits.sync_detailed(
            client=api, body=DepositIn(amount="10000.00", tx_hash="clientflow0001")), 409)
        assert isinstance(conflict, Error) and conflict.error == "duplicate_transaction" and conflict.error_code

        buy = _ok(post_api_trading_orders.sync_detailed(
            client=api, body=OrderIn(symbol="AAPL", side=OrderSide.BUY, quantity="10", price="100")), 201)
        assert isinstance(buy, OrderOut) and buy.status is OrderStatus.FILLED and buy.notional == "1000.00000000"
        sell = _ok(post_api_trading_orders.sync_detailed(
            client=api, body=OrderIn(symbol="AAPL", side=OrderSide.SELL, quantity="4", price="110")), 201)
        assert sell.side is OrderSide.SELL and sell.realized_pnl == "40.00000000"
        # 422: a zero quantity, read back as the one error schema naming the field.
        invalid = _ok(post_api_trading_orders.sync_detailed(
            client=api, body=OrderIn(symbol="AAPL", side=OrderSide.BUY, quantity="0", price="100")), 422)
        assert isinstance(invalid, Error) and invalid.error == "validation_error"
        assert "quantity" in invalid.details.additional_properties

        positions = _ok(get_api_trading_positions.sync_detailed(client=api), 200)
        assert [(p.symbol, p.quantity, p.realized_pnl) for p in positions] == [("AAPL", "6.00000000", "40.00000000")]
        assert isinstance(positions[0], PositionOut)
        balance = _ok(get_api_portfolio_balance.sync_detailed(client=api), 200)
        assert balance.available_balance == "9440.00000000"

        from_positions = _ok(post_api_portfolio_snapshots.sync_detailed(
            client=api, body=SnapshotIn(from_positions=True)), 201)
        assert isinstance(from_positions, SnapshotOut)
        assert all(isinstance(holding, HoldingOut) for holding in from_positions.holdings)
        assert [(h.symbol, h.quantity, h.price, h.value) for h in from_positions.holdings] == [
            ("AAPL", "6.00000000", "110.00000000", "660.00000000")]
        assert from_positions.cash == "9440.00000000" and from_positions.total_value == "10100.00000000"
        sent = _ok(post_api_portfolio_snapshots.sync_detailed(client=api, body=SnapshotIn(
            holdings=[HoldingIn(symbol="MSFT", quantity="2", price="300")], cash="50")), 201)
        assert [(h.symbol, h.value) for h in sent.holdings] == [("MSFT", "600.00000000")]
        assert sent.total_value == "650.00000000"

        page = _ok(get_api_portfolio_snapshots.sync_detailed(client=api), 200)
        assert isinstance(page, SnapshotPage) and [s.id for s in page.items] == [sent.id, from_positions.id]
        latest = _ok(get_api_portfolio_latest.sync_detailed(client=api), 200)
        assert latest.id == sent.id and latest.holdings[0].symbol == "MSFT"

        risk = _ok(get_api_ai_risk_metrics.sync_detailed(client=api, window=10), 200)
        assert isinstance(risk, RiskMetrics) and risk.observations == 2 and risk.returns == 1
        assert risk.total_return == pytest.approx(650 / 10100 - 1)
        assert risk.end is not None and risk.end.tzinfo is not None
    assert "Traceback" not in (tmp_path / "gunicorn.log").read_text()
