"""The OpenAPI document, the `/docs` page and `flask openapi write`.

flask-smorest builds the paths from the blueprints (schemas, summaries from docstrings, tags from
the blueprint names and descriptions, `security` from `@auth_required`). This module completes that
document the same way for every operation of every blueprint, present and future, when it is
served or written:

* every error status an operation can answer is documented with the one error format
  (`components/schemas/Error`, see `quantum.errors`), with an example;
* 401 and 403 on operations that declare `security`, 400 where credentials can be ambiguous or the
  body malformed, 413/415/422 where there is a body, 422 where there are query arguments, 404 where
  there are path parameters, 503 wherever the schema guard or the database circuit can answer;
* flask-smorest's catch-all `default` response is dropped, so the statuses are an exact contract
  (the fuzzer checks it);
* stable `operationId`s for generated clients;
* typing that client generators need (see tests/client): decimals as strings with a format, enums as
  named schemas in `components` shared by every field that uses them (`fields.Enum`, or `string_enum`
  for a plain string field), nullable references as `allOf` + `nullable`.

`/docs` serves Swagger UI from the `swagger-ui-bundle` package's files (no CDN).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable
from http import HTTPStatus
from pathlib import Path
from typing import Any

import click
import swagger_ui_bundle
from flask import Blueprint, Flask, Response, abort, current_app, send_from_directory, url_for
from flask.cli import AppGroup
from marshmallow import Schema, fields, validate

from quantum.errors import STATUS_ERRORS
from quantum.fields import DECIMAL_PATTERN

ROOT = Path(__file__).resolve().parent.parent
#: Where `flask openapi write` puts the document by default; a test keeps it current.
DOCUMENT_PATH = ROOT / "docs" / "openapi.json"
ERROR_REF = "#/components/schemas/Error"
RETRY_AFTER_HEADER = {
    "description": "Seconds to wait before retrying (the same value as `retry_after` in the body)",
    "schema": {"type": "integer", "minimum": 0},
}
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
SWAGGER_UI_ASSETS = Path(swagger_ui_bundle.swagger_ui_path)

API_DESCRIPTION = """\
The QuantumLeap trading platform's HTTP API. Every body is JSON; every error has one shape
(`Error`: `error`, `message`, `details`, `error_code`, and `retry_after` on 429 and 503).

**Trying it in the browser** (`/docs`): register and log in with *Try it out* on
`POST /api/auth/register` and `POST /api/auth/login`, copy `access_token`, press *Authorize* and
paste it under `bearerAuth` (without the word `Bearer`). Or create a key with
`POST /api/auth/api-keys` and paste it under `apiKeyAuth`. Authorize **one** of the two at a
time: a request carrying both is refused with 400 `ambiguous_credentials`.
"""


class ErrorSchema(Schema):
    """The one error format (`quantum.errors.error_response`)."""

    error = fields.String(
        required=True, metadata={"description": "a stable, machine-readable name", "example": "not_found"}
    )
    message = fields.String(required=True, metadata={"description": "for humans", "example": "no such resource"})
    details = fields.Dict(
        required=True, metadata={"description": "more about the error; for 422, each bad field and its problems",
                                 "example": {}},
    )
    error_code = fields.String(required=True, metadata={"description": "a stable code", "example": "GEN_404"})
    retry_after = fields.Integer(
        metadata={"description": "seconds to wait before retrying (429 and 503 only)", "example": 5}
    )


def _example(error: str, message: str, details: dict | None = None, code: str | None = None,
             retry_after: int | None = None, status: int = 400) -> dict[str, Any]:
    body: dict[str, Any] = {"error": error, "message": message, "details": details or {},
                            "error_code": code or f"GEN_{status}"}
    if retry_after is not None:
        body["retry_after"] = retry_after
    return body


#: The generic description and example of each error status the API answers.
ERROR_RESPONSES: dict[int, tuple[str, dict[str, Any]]] = {
    400: ("Bad request: the body is not valid JSON, repeats a key in one object or nests deeper than 32 "
          "levels (malformed_json), or both an Authorization and an X-API-Key header were sent "
          "(ambiguous_credentials)",
          _example("malformed_json", "the request body is not valid JSON: the key 'amount' appears twice in one object",
                   {"json": "the key 'amount' appears twice in one object"})),
    401: ("Missing, malformed, expired or revoked credentials (missing_credentials, invalid_token, "
          "token_expired, token_revoked, wrong_token_type, user_not_found, invalid_api_key, api_key_revoked)",
          _example("missing_credentials", "authentication required: send 'Authorization: Bearer <access token>' "
                   "or 'X-API-Key: <key>'", {"reason": "Missing Authorization Header"}, "AUTH_001")),
    403: ("Account suspended (account_suspended), or a scope or role this route needs is missing "
          "(insufficient_scope, insufficient_role)",
          _example("insufficient_scope", "this route needs the scope 'admin', which this account does not have",
                   {"missing": ["admin"], "required": ["admin"], "granted": ["portfolio:read"]}, "AUTH_102")),
    404: ("Not found, or not yours (not_found)",
          _example("not_found", "the requested resource was not found", status=404)),
    409: ("Conflicts with the current state (conflict and more specific values)",
          _example("conflict", "the request conflicts with existing data", status=409)),
    413: ("The body is larger than the server accepts (payload_too_large)",
          _example("payload_too_large", "the request body is too large", status=413)),
    415: ("The body is not JSON (unsupported_media_type): send Content-Type: application/json",
          _example("unsupported_media_type",
                   "the request body must be JSON (Content-Type: application/json)", status=415)),
    422: ("Invalid input (validation_error): `details` names each bad field (a number out of range or not in "
          "ASCII digits, a string with NUL or an unpaired surrogate, ...)",
          _example("validation_error", "invalid input: email", {"email": ["Not a valid email address."]},
                   status=422)),
    429: ("Too many requests (rate_limited): retry after `retry_after` seconds",
          _example("rate_limited", "too many requests: 10 per 1 minute", {}, "AUTH_429", 42, status=429)),
    503: ("The database is unavailable, too slow or the schema is not ready (database_unavailable, "
          "database_timeout, pool_exhausted, schema_not_ready, not_ready; on login and register also "
          "rate_limit_unavailable): retry after `retry_after` seconds",
          _example("database_unavailable", "the database is unavailable; retry shortly", {"circuit": "open"},
                   retry_after=5, status=503)),
}


#: Answered by gunicorn before the app sees the request, so in gunicorn's HTML, not the error format.
URI_TOO_LONG = {
    "description": "The request line (path and query) is longer than the server reads (gunicorn's "
                   "`limit_request_line`, 4094 bytes): answered by the server in HTML, before the app",
    "content": {"text/html": {"schema": {"type": "string"}}},
}


SCHEME_NAMES = {"bearerAuth": "a bearer token (bearerAuth)", "apiKeyAuth": "an API key (apiKeyAuth)"}


def _component_name(status: int) -> str:
    return HTTPStatus(status).name


def _error_content(example: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": ERROR_REF}, "example": example}}


def _error_response(status: int, description: str | None = None) -> dict[str, Any]:
    default_description, example = ERROR_RESPONSES[status]
    response: dict[str, Any] = {"description": description or default_description, "content": _error_content(example)}
    if status in (429, 503):
        response["headers"] = {"Retry-After": copy.deepcopy(RETRY_AFTER_HEADER)}
    return response


def _operation_id(method: str, path: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_")
    return f"{method}_{slug}"


def _parameters(path_item: dict[str, Any], operation: dict[str, Any]) -> list[dict[str, Any]]:
    return [*path_item.get("parameters", []), *operation.get("parameters", [])]


def error_statuses(path: str, method: str, path_item: dict[str, Any], operation: dict[str, Any],
                   exempt_prefixes: Iterable[str] = ()) -> set[int]:
    """The error statuses an operation can answer, beyond those its view documents itself."""
    parameters = _parameters(path_item, operation)
    security = operation.get("security") or []
    schemes = {name for requirement in security for name in requirement}
    statuses: set[int] = set()
    if schemes:
        statuses |= {401, 403}
    if "apiKeyAuth" in schemes and "bearerAuth" in schemes:
        statuses.add(400)  # ambiguous_credentials
    if "requestBody" in operation:
        statuses |= {400, 413, 415, 422}
    if any(parameter.get("in") in ("query", "path") for parameter in parameters):
        statuses.add(422)  # also a path value with NUL or an unpaired surrogate (quantum.request_parsing)
    if any(parameter.get("in") == "path" for parameter in parameters):
        statuses.add(404)
    if any(parameter.get("in") in ("path", "query") for parameter in parameters):
        statuses.add(414)
    if not path.startswith(tuple(exempt_prefixes)):
        statuses.add(503)  # the schema guard and the database circuit answer every route
    return statuses


def _complete_operation(path: str, method: str, path_item: dict[str, Any], operation: dict[str, Any],
                        exempt_prefixes: Iterable[str]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    responses.pop("default", None)
    for status in error_statuses(path, method, path_item, operation, exempt_prefixes):
        responses.setdefault(str(status), {"$ref": f"#/components/responses/{_component_name(status)}"})
    for code, response in list(responses.items()):
        if not code.isdigit() or int(code) < 400 or "$ref" in response:
            continue
        status = int(code)
        if status == 414:
            responses[code] = copy.deepcopy(URI_TOO_LONG)
        elif status in ERROR_RESPONSES:
            responses[code] = _error_response(status, response.get("description"))
        else:
            example = _example(STATUS_ERRORS.get(status, "http_error"), response.get("description", "error"),
                               status=status)
            response.setdefault("content", _error_content(example))
    operation["responses"] = dict(sorted(responses.items()))
    operation.setdefault("operationId", _operation_id(method, path))
    scopes = operation.get("x-required-scopes")
    if operation.get("security"):
        schemes = [name for requirement in operation["security"] for name in requirement]
        how = " or ".join(SCHEME_NAMES.get(name, name) for name in schemes)
        needs = ", ".join(f"`{scope}`" for scope in scopes) if scopes else "none beyond a valid credential"
        role = operation.get("x-required-role")
        note = f"**Auth:** {how}. Scopes: {needs}."
        if role:
            note += f" Role: `{role}`."
        description = operation.get("description", "")
        if note not in description:
            operation["description"] = f"{description}\n\n{note}".strip()


def complete_document(spec: dict[str, Any], error_schema: dict[str, Any],
                      exempt_prefixes: Iterable[str] = ()) -> dict[str, Any]:
    """A copy of flask-smorest's document with errors, security notes and operation ids completed."""
    doc = copy.deepcopy(spec)
    exempt = tuple(exempt_prefixes)
    doc.setdefault("info", {})["description"] = API_DESCRIPTION
    components = doc.setdefault("components", {})
    components.setdefault("schemas", {})["Error"] = error_schema
    responses = components.setdefault("responses", {})
    responses.pop("DEFAULT_ERROR", None)
    for status in ERROR_RESPONSES:
        responses[_component_name(status)] = _error_response(status)
    responses[_component_name(414)] = copy.deepcopy(URI_TOO_LONG)
    for path, path_item in doc.get("paths", {}).items():
        for method in HTTP_METHODS:
            if method in path_item:
                _complete_operation(path, method, path_item, path_item[method], exempt)
    used = json.dumps(doc.get("paths", {}))
    components["responses"] = {name: value for name, value in sorted(responses.items())
                               if f"#/components/responses/{name}\"" in used}
    tags = {tag["name"]: tag for tag in doc.get("tags", [])}
    for path_item in doc.get("paths", {}).values():
        for method in HTTP_METHODS:
            for name in path_item.get(method, {}).get("tags", []):
                tags.setdefault(name, {"name": name})
    doc["tags"] = list(tags.values())
    return _bare_refs(doc)


def _bare_refs(node: Any) -> Any:
    """`{allOf: [{$ref}]}` with nothing beside it (a parameter's enum, once apispec moved its description
    to the parameter) is the plain `{$ref}`."""
    if isinstance(node, dict):
        all_of = node.get("allOf")
        if len(node) == 1 and isinstance(all_of, list) and len(all_of) == 1 and set(all_of[0]) == {"$ref"}:
            return dict(all_of[0])
        return {key: _bare_refs(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_bare_refs(item) for item in node]
    return node


def _api(app: Flask) -> Any:
    """The app's flask-smorest Api (the one registered without a config prefix)."""
    return app.extensions["flask-smorest"]["apis"][""]["ext_obj"]


def build_document(app: Flask) -> dict[str, Any]:
    """The complete OpenAPI document of `app` (cached: blueprints cannot change after the first request)."""
    cached = app.extensions.get("quantum_openapi")
    if cached is not None:
        return cached
    from quantum.routes import GUARD_EXEMPT_PREFIXES

    api = _api(app)
    with app.app_context():
        spec = api.spec.to_dict()
        error_schema = api.ma_plugin.converter.schema2jsonschema(ErrorSchema)
    document = complete_document(spec, error_schema, GUARD_EXEMPT_PREFIXES)
    app.extensions["quantum_openapi"] = document
    return document


def render_document(document: dict[str, Any]) -> str:
    """The document as the committed file holds it: indented JSON, stable key order, a final newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --- /openapi.json and /docs -------------------------------------------------------------------

SWAGGER_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title}</title>
  <link rel="stylesheet" href="{css}">
  <link rel="icon" type="image/png" href="{icon}">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{bundle}"></script>
  <script src="{init}"></script>
</body>
</html>
"""

SWAGGER_INIT = """window.ui = SwaggerUIBundle({config});
"""


def _swagger_config(spec_url: str) -> dict[str, Any]:
    return {
        "url": spec_url,
        "dom_id": "#swagger-ui",
        "deepLinking": True,
        "persistAuthorization": True,
        "displayRequestDuration": True,
        "displayOperationId": False,
        "docExpansion": "list",
        "defaultModelsExpandDepth": 0,
        "filter": True,
        "tryItOutEnabled": False,
        "validatorUrl": None,  # no call to an online validator: the page works offline
        "layout": "BaseLayout",
    }


docs_blp = Blueprint("docs", __name__, url_prefix="/docs")

# What Swagger UI needs and nothing more: its two scripts and its stylesheet from this origin (no inline
# script, no eval), inline style attributes and data: icons it draws, calls to this origin only.
DOCS_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


@docs_blp.after_request
def _docs_policy(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = DOCS_POLICY
    return response


@docs_blp.get("")
@docs_blp.get("/")
def swagger_ui() -> Response:
    """The Swagger UI page for /openapi.json."""
    title = _api(current_app).spec.title
    html = SWAGGER_PAGE.format(
        title=title,
        css=url_for("docs.asset", filename="swagger-ui.css"),
        icon=url_for("docs.asset", filename="favicon-32x32.png"),
        bundle=url_for("docs.asset", filename="swagger-ui-bundle.js"),
        init=url_for("docs.initializer"),
    )
    return Response(html, mimetype="text/html")


@docs_blp.get("/swagger-initializer.js")
def initializer() -> Response:
    """Start Swagger UI on the served document, with authorizations kept across reloads."""
    config = json.dumps(_swagger_config(url_for(current_app.extensions["quantum_openapi_endpoint"])), indent=2)
    return Response(SWAGGER_INIT.format(config=config), mimetype="text/javascript")


#: The bundle's files the page uses. Not its stock index.html and swagger-initializer.js, which load the
#: public petstore document, nor anything else the package ships.
SWAGGER_UI_FILES = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png", "favicon-16x16.png"})


@docs_blp.get("/assets/<path:filename>")
def asset(filename: str) -> Response:
    """Swagger UI's files, from the installed swagger-ui-bundle package."""
    if filename not in SWAGGER_UI_FILES:
        abort(404)
    return send_from_directory(SWAGGER_UI_ASSETS, filename, max_age=3600)


def openapi_json() -> Response:
    """The completed OpenAPI document (replaces flask-smorest's view of /openapi.json)."""
    return Response(render_document(build_document(current_app)), mimetype="application/json")


# --- flask openapi ------------------------------------------------------------------------------

openapi_cli = AppGroup("openapi", help="The OpenAPI document: write it to docs/openapi.json, print or check it.")


@openapi_cli.command("write")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), default=DOCUMENT_PATH, required=False)
def write_command(path: Path) -> None:
    """Write the OpenAPI document to PATH (default: docs/openapi.json)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_document(build_document(current_app)), encoding="utf-8")
    click.echo(f"openapi: wrote {path}")


@openapi_cli.command("print")
def print_command() -> None:
    """Print the OpenAPI document."""
    click.echo(render_document(build_document(current_app)), nl=False)


@openapi_cli.command("check")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), default=DOCUMENT_PATH, required=False)
def check_command(path: Path) -> None:
    """Exit 1 when PATH (default: docs/openapi.json) differs from the code's document."""
    current = render_document(build_document(current_app))
    if not path.exists() or path.read_text(encoding="utf-8") != current:
        raise click.ClickException(f"{path} is stale: run `flask openapi write`")
    click.echo(f"openapi: {path} is current")




def decimal2properties(self: Any, field: fields.Field, ret: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    """Document a marshmallow Decimal as what goes over the wire: a decimal string.

    apispec documents `fields.Decimal` as a JSON number, with Decimal bounds written as strings
    (an invalid schema); but marshmallow (`as_string=True`) and Flask's JSON provider both send
    decimals as strings, and the API accepts strings. The bounds move into the description.
    """
    if not isinstance(field, fields.Decimal):
        return {}
    for keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        ret.pop(keyword, None)  # `ret` is the property being built: drop the numeric keywords
    update: dict[str, Any] = {"type": "string", "format": "decimal"}
    if not field.dump_only:
        update["pattern"] = DECIMAL_PATTERN
    limits = []
    for validator in field.validators:
        if isinstance(validator, validate.Range):
            if validator.min is not None:
                limits.append(f"{'>=' if validator.min_inclusive else '>'} {validator.min}")
            if validator.max is not None:
                limits.append(f"{'<=' if validator.max_inclusive else '<'} {validator.max}")
    if limits:
        described = ret.get("description")
        range_note = "a decimal string " + " and ".join(limits)
        update["description"] = f"{described} ({range_note})" if described else range_note
    example = ret.get("example")
    if example is not None and not isinstance(example, str):
        update["example"] = str(example)
    return update


#: Field metadata naming the shared schema of a string field's `OneOf` choices (see `string_enum`).
ENUM_NAME = "enum_name"


def string_enum(name: str, values: Iterable[str], **kwargs: Any) -> fields.String:
    """A string field limited to `values`, documented as the named, shared enum schema `name`.

    Loading and dumping stay plain strings (no Enum members): only the document changes. Fields of
    several schemas that share a name share one `components/schemas` entry and one generated class.
    """
    choices = [getattr(value, "value", value) for value in values]
    metadata = {**kwargs.pop("metadata", {}), ENUM_NAME: name}
    validators = [validate.OneOf(choices), *_as_list(kwargs.pop("validate", None))]
    return fields.String(validate=validators, metadata=metadata, **kwargs)


def _as_list(validators: Any) -> list[Any]:
    if validators is None:
        return []
    return list(validators) if isinstance(validators, (list, tuple)) else [validators]


def _register_enum(spec: Any, name: str, values: list[Any]) -> None:
    schema = {"type": "string", "enum": values}
    existing = spec.components.schemas.get(name)
    if existing is None:
        spec.components.schema(name, schema)
    elif existing != schema:
        raise ValueError(f"enum schema {name!r} is declared with two different value lists: {existing} and {schema}")


def enum2ref(self: Any, field: fields.Field, ret: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    """Document an enum as a reference to one named schema in `components`, shared by every field using it.

    apispec inlines each enum's values (untyped for `fields.Enum`), so a generator makes one class per
    property (`UserTier`, `MeTier`, ...). The name is the Enum class's, or `metadata["enum_name"]`
    (`string_enum`). A nullable enum becomes `allOf: [$ref]` with `nullable` (OpenAPI 3.0 ignores a
    `$ref`'s siblings), and so does one with a description, default or example.
    """
    name = field.enum.__name__ if isinstance(field, fields.Enum) else field.metadata.get(ENUM_NAME)
    if not name or "enum" not in ret:
        return {}
    values = [value for value in ret.pop("enum") if value is not None]
    ret.pop("type", None)
    _register_enum(self.spec, name, values)
    ref = {"$ref": f"#/components/schemas/{name}"}
    if not ret:
        return ref
    return {"allOf": [ref]}


def nullable_ref2all_of(self: Any, field: fields.Field, ret: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    """A nullable nested schema as `allOf: [$ref]` with `nullable: true`, which generators read as "X or null".

    apispec writes `anyOf: [{type: object, nullable: true}, {$ref}]`, from which generators make an
    extra, empty model for the first branch.
    """
    any_of = ret.get("anyOf")
    if not (isinstance(any_of, list) and len(any_of) == 2 and any_of[0] == {"type": "object", "nullable": True}):
        return {}
    ret.pop("anyOf")
    return {"allOf": [any_of[1]], "nullable": True}


def install_openapi(app: Flask) -> None:
    """Serve the completed document at /openapi.json and Swagger UI at /docs (`flask openapi` is in quantum.cli).

    Call it after flask-smorest's `api.init_app` and before registering blueprints (so the field
    converters below apply to every schema).
    """
    converter = _api(app).ma_plugin.converter
    converter.add_attribute_function(decimal2properties)
    converter.add_attribute_function(enum2ref)
    converter.add_attribute_function(nullable_ref2all_of)
    app.register_blueprint(docs_blp)
    endpoint = next(rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.endswith(".openapi_json"))
    app.view_functions[endpoint] = openapi_json
    app.extensions["quantum_openapi_endpoint"] = endpoint
