"""The OpenAPI document: complete for every route, committed up to date, and the /docs page served offline."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from quantum.openapi import DOCUMENT_PATH, ERROR_RESPONSES, build_document, render_document
from quantum.routes import GUARD_EXEMPT_PREFIXES
from tests.conftest import make_app, run_flask

METHODS = ("get", "put", "post", "delete", "patch")
ERROR_REF = "#/components/schemas/Error"


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The document of an app on a throw-away SQLite file (building it touches no database)."""
    app = make_app(f"sqlite:///{tmp_path_factory.mktemp('openapi') / 'doc.db'}")
    return build_document(app)


def _operations(document: dict):
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item, item[method]


def _resolve(document: dict, response: dict) -> dict:
    ref = response.get("$ref")
    if ref:
        return document["components"]["responses"][ref.rsplit("/", 1)[1]]
    return response


def test_committed_document_is_current(document):
    committed = DOCUMENT_PATH.read_text(encoding="utf-8") if DOCUMENT_PATH.exists() else ""
    assert committed == render_document(document), (
        "docs/openapi.json is stale: run `flask openapi write` and commit docs/openapi.json"
    )


def test_every_operation_is_summarized_tagged_and_has_an_id(document):
    tag_names = {tag["name"] for tag in document["tags"]}
    ids = set()
    for path, method, _item, operation in _operations(document):
        where = f"{method.upper()} {path}"
        assert operation.get("summary"), f"{where}: give the view a one-line docstring"
        assert operation.get("tags") and set(operation["tags"]) <= tag_names, where
        assert operation["operationId"] not in ids, where
        ids.add(operation["operationId"])
    assert all(tag.get("description") for tag in document["tags"]), "give every blueprint a description"


def test_every_error_response_uses_the_one_error_schema_with_an_example(document):
    for path, method, _item, operation in _operations(document):
        assert "default" not in operation["responses"], f"{method.upper()} {path}: statuses must be explicit"
        for code, response in operation["responses"].items():
            if int(code) < 400:
                continue
            if code == "414":  # gunicorn answers it, in HTML, before the app sees the request
                assert "text/html" in _resolve(document, response)["content"]
                continue
            content = _resolve(document, response)["content"]["application/json"]
            assert content["schema"] == {"$ref": ERROR_REF}, f"{method.upper()} {path} {code}"
            example = content["example"]
            assert {"error", "message", "details", "error_code"} <= set(example)
            if code in ("429", "503"):
                assert "retry_after" in example and "Retry-After" in _resolve(document, response)["headers"]
    error = document["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"error", "message", "details", "error_code"}
    assert set(error["properties"]) == {"error", "message", "details", "error_code", "retry_after"}


def test_error_statuses_follow_what_each_operation_can_answer(document):
    for path, method, item, operation in _operations(document):
        where = f"{method.upper()} {path}"
        codes = set(operation["responses"])
        parameters = [*item.get("parameters", []), *operation.get("parameters", [])]
        if operation.get("security"):
            assert {"401", "403"} <= codes, where
        if "requestBody" in operation or any(p["in"] == "query" for p in parameters):
            assert "422" in codes, where
        if "requestBody" in operation:
            assert {"400", "413", "415"} <= codes, where
        if any(p["in"] == "path" for p in parameters):
            assert "404" in codes, where
        if any(p["in"] in ("path", "query") for p in parameters):
            assert "414" in codes, where
        if not path.startswith(GUARD_EXEMPT_PREFIXES):
            assert "503" in codes, where
        assert all(code.startswith("2") or int(code) in {*ERROR_RESPONSES, 414} for code in codes), where


def test_security_schemes_and_authenticated_routes(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    assert schemes["apiKeyAuth"] == {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    me = document["paths"]["/api/auth/me"]["get"]
    assert me["security"] == [{"bearerAuth": []}, {"apiKeyAuth": []}]
    assert "Scopes:" in me["description"]
    assert "security" not in document["paths"]["/api/auth/register"]["post"]
    assert "security" not in document["paths"]["/api/health"]["get"]


def test_request_bodies_have_examples_swagger_ui_can_send(document):
    register = document["components"]["schemas"]["Register"]["properties"]
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{2,31}", register["username"]["example"])
    assert register["password"]["example"] and register["email"]["example"]


def test_openapi_json_is_served_completed(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    served = response.get_json()
    assert "default" not in served["paths"]["/api/auth/me"]["get"]["responses"]
    assert served == json.loads(render_document(build_document(client.application)))


def test_docs_page_uses_only_installed_assets(client):
    page = client.get("/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "//" not in re.sub(r"<!DOCTYPE[^>]*>", "", html).replace("://", ""), "no external URL in the page"
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(source.startswith("/docs/") for source in sources), sources
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200 and asset.data, source
    initializer = client.get("/docs/swagger-initializer.js").get_data(as_text=True)
    assert '"url": "/openapi.json"' in initializer and '"persistAuthorization": true' in initializer
    assert '"validatorUrl": null' in initializer
    assert client.get("/docs/assets/../../quantum/__init__.py").status_code == 404


def test_flask_openapi_write_and_check(tmp_path: Path):
    db_url = f"sqlite:///{tmp_path / 'cli.db'}"  # writing the document never touches the database
    target = tmp_path / "openapi.json"
    written = run_flask(["openapi", "write", str(target)], db_url)
    assert written.returncode == 0, written.stderr
    assert target.read_text() == DOCUMENT_PATH.read_text()
    assert run_flask(["openapi", "check", str(target)], db_url).returncode == 0
    target.write_text("{}\n")
    stale = run_flask(["openapi", "check", str(target)], db_url)
    assert stale.returncode == 1 and "run `flask openapi write`" in stale.stderr
