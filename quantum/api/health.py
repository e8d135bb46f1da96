"""Liveness and readiness probes."""

from __future__ import annotations

import time

import sqlalchemy as sa
from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from quantum.db.guard import SchemaNotReady
from quantum.errors import ServiceUnavailable
from quantum.extensions import db
from quantum.schema_engine.ensure import read_revision
from quantum.schema_engine.retry import first_line

blp = Blueprint("health", __name__, url_prefix="/api/health", description="Liveness and readiness probes")


class LiveSchema(Schema):
    status = fields.String(metadata={"example": "ok"})


class ReadySchema(Schema):
    status = fields.String(metadata={"example": "ready"})
    database = fields.Dict(metadata={"example": {"backend": "sqlite", "revision": "0001", "latency_ms": 0.4}})
    schema = fields.String(metadata={"example": "valid"})


@blp.route("")
class Live(MethodView):
    @blp.response(200, LiveSchema)
    def get(self):
        """The process is alive (does not touch the database)."""
        return {"status": "ok"}


@blp.route("/ready")
class Ready(MethodView):
    @blp.response(200, ReadySchema)
    @blp.alt_response(503, description="The database does not answer or the schema is not valid")
    def get(self):
        """The database answers and the schema matches the models."""
        guard = current_app.extensions["schema_guard"]
        try:
            guard.check()
        except SchemaNotReady as exc:
            raise ServiceUnavailable(exc.message, retry_after=exc.retry_after, error="not_ready",
                                     details={"reason": exc.reason}) from None
        started = time.perf_counter()
        try:
            with db.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
                revision = read_revision(connection, "alembic_version")
        except sa.exc.DBAPIError as exc:
            raise ServiceUnavailable(
                f"the database does not answer: {first_line(exc)}", error="not_ready",
                details={"reason": "database_unreachable"},
            ) from None
        latency = (time.perf_counter() - started) * 1000
        return {
            "status": "ready",
            "database": {"backend": db.engine.dialect.name, "revision": revision, "latency_ms": round(latency, 2)},
            "schema": "valid",
        }
