"""The /api/admin routes: list users, change status, tier and role, read the audit log (admin role only)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from quantum.auth import audit, service
from quantum.auth.decorators import admin_required, current_principal
from quantum.auth.schemas import (
    AuditArgsSchema,
    AuditListSchema,
    UserListArgsSchema,
    UserListSchema,
    UserSchema,
    UserUpdateSchema,
)
from quantum.auth.views import client_ip
from quantum.errors import NotFound
from quantum.extensions import db

blp = Blueprint("admin", __name__, url_prefix="/api/admin", description="Administration (admin role)")


@blp.route("/users")
class Users(MethodView):
    @admin_required
    @blp.arguments(UserListArgsSchema, location="query")
    @blp.response(200, UserListSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """List accounts, optionally filtered by part of the email."""
        return {"items": service.list_users(session=db.session, **args)}


@blp.route("/users/<int:user_id>")
class UserItem(MethodView):
    @admin_required
    @blp.arguments(UserUpdateSchema)
    @blp.response(200, UserSchema)
    @blp.alt_response(404, description="No such user")
    @blp.alt_response(409, description="An admin cannot change their own status or role (cannot_modify_self)")
    def patch(self, data: dict[str, Any], user_id: int) -> Any:
        """Change an account's status, tier or role (audited; applies at once to its tokens and keys)."""
        actor = current_principal().user
        user = service.get_user(session=db.session, user_id=user_id)
        if user is None:
            raise NotFound(f"user {user_id} not found", details={"id": user_id})
        return service.update_user(session=db.session, user=user, changes=data, actor_id=actor.id, ip=client_ip())


@blp.route("/audit-log")
class AuditLogView(MethodView):
    @admin_required
    @blp.arguments(AuditArgsSchema, location="query")
    @blp.response(200, AuditListSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Audit entries newest first; page with `before_id`."""
        entries = audit.list_entries(session=db.session, **args)
        next_before = entries[-1].id if len(entries) == args["limit"] else None
        return {"items": entries, "next_before_id": next_before}
