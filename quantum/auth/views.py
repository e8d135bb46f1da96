"""The /api/auth routes: register, login, refresh, logout, me, API keys."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_jwt_extended import decode_token
from flask_jwt_extended.exceptions import JWTExtendedException, RevokedTokenError
from flask_smorest import Blueprint
from jwt.exceptions import ExpiredSignatureError, PyJWTError
from marshmallow import Schema

from quantum.auth import apikeys, service
from quantum.auth.decorators import auth_required, authenticate, current_principal
from quantum.auth.errors import AuthError
from quantum.auth.ratelimit import limiter, login_limit, register_limit
from quantum.auth.schemas import (
    ApiKeyCreatedSchema,
    ApiKeyCreateSchema,
    ApiKeyListSchema,
    ApiKeySchema,
    LoginSchema,
    LogoutResultSchema,
    LogoutSchema,
    MeSchema,
    RegisterSchema,
    TokenSchema,
    UserSchema,
)
from quantum.config import current_settings
from quantum.errors import APIError, ValidationFailed
from quantum.extensions import db

blp = Blueprint("auth", __name__, url_prefix="/api/auth", description="Accounts, tokens and API keys")
RATE_LIMITED = {"429": {"description": "Too many attempts from this address (error: rate_limited, retry_after)"}}


def _attributes(obj: object, schema: type[Schema]) -> dict[str, Any]:
    """The attributes a schema dumps, unserialized (the response decorator serializes them)."""
    return {name: getattr(obj, name) for name in schema().fields}


def client_ip() -> str | None:
    """The caller's address as the WSGI server saw it."""
    return request.remote_addr


@blp.route("/register")
class Register(MethodView):
    @limiter.limit(register_limit)  # outermost: counted before the body is even parsed
    @blp.arguments(RegisterSchema)
    @blp.response(201, UserSchema)
    @blp.alt_response(409, description="The email or username is taken (email_taken, username_taken)")
    @blp.doc(responses=RATE_LIMITED)
    def post(self, data: dict[str, Any]) -> Any:
        """Create an account."""
        return service.create_user(session=db.session, data=data, ip=client_ip())


@blp.route("/login")
class Login(MethodView):
    @limiter.limit(login_limit)
    @blp.arguments(LoginSchema)
    @blp.response(200, TokenSchema)
    @blp.alt_response(401, description="Unknown email or wrong password (invalid_credentials)")
    @blp.doc(responses=RATE_LIMITED)
    def post(self, data: dict[str, Any]) -> Any:
        """Exchange email and password for an access and a refresh token."""
        return service.login(session=db.session, email=data["email"], password=data["password"], ip=client_ip())


@blp.route("/refresh")
class Refresh(MethodView):
    @blp.response(200, TokenSchema)
    @blp.doc(security=[{"bearerAuth": []}])
    def post(self) -> Any:
        """Exchange a refresh token (as the bearer token) for a new pair; the old refresh token is revoked.

        Presenting a refresh token again after it was rotated or logged out revokes every token of its
        login (its family), access tokens included: 401 token_revoked with `details.family_revoked`.
        """
        try:
            principal = authenticate(refresh=True)
        except RevokedTokenError as exc:
            payload = exc.jwt_data
            if payload.get("type") != "refresh":
                raise
            family_revoked = service.report_refresh_reuse(session=db.session, refresh_payload=payload, ip=client_ip())
            raise AuthError(
                "this refresh token was already used: every token of its login is revoked; log in again",
                error="token_revoked",
                details={"token_type": "refresh", "reason": "reused", "family_revoked": family_revoked},
            ) from None
        return service.refresh(session=db.session, user=principal.user, refresh_payload=principal.token)


def _refresh_payload(token: str, user_id: int) -> dict[str, Any] | None:
    """Decode a refresh token handed to logout; None when it has expired (nothing left to revoke)."""
    try:
        payload = decode_token(token)
    except ExpiredSignatureError:
        return None
    except (PyJWTError, JWTExtendedException):
        raise ValidationFailed("refresh_token is not a valid token", details={"refresh_token": ["invalid token"]}) \
            from None
    if payload.get("type") != "refresh":
        raise ValidationFailed(
            "refresh_token is not a refresh token", details={"refresh_token": ["not a refresh token"]}
        )
    if payload.get("sub") != str(user_id):
        raise ValidationFailed("refresh_token belongs to another account",
                               details={"refresh_token": ["belongs to another account"]})
    return payload


@blp.route("/logout")
class Logout(MethodView):
    @auth_required()
    @blp.arguments(LogoutSchema, required=False)
    @blp.response(200, LogoutResultSchema)
    def post(self, data: dict[str, Any] | None) -> Any:
        """Revoke the access token used for this call (and, if given, a refresh token)."""
        principal = current_principal()
        if principal.method != "jwt":
            raise APIError("logout revokes an access token; revoke an API key with DELETE /api/auth/api-keys/<id>",
                           error="token_required")
        refresh_token = (data or {}).get("refresh_token")
        refresh_payload = _refresh_payload(refresh_token, principal.user.id) if refresh_token else None
        result = service.logout(session=db.session, user=principal.user, access_payload=principal.token,
                                refresh_payload=refresh_payload, ip=client_ip())
        return {"revoked": result["revoked"], "message": "logged out"}


@blp.route("/me")
class Me(MethodView):
    @auth_required()
    @blp.response(200, MeSchema)
    def get(self) -> Any:
        """The account behind the credentials, with the scopes this credential carries."""
        principal = current_principal()
        user = _attributes(principal.user, UserSchema)
        return {**user, "scopes": list(principal.scopes), "auth_method": principal.method}


@blp.route("/api-keys")
class ApiKeys(MethodView):
    @auth_required()
    @blp.response(200, ApiKeyListSchema)
    def get(self) -> Any:
        """Your API keys (never the keys themselves), newest first."""
        return {"items": apikeys.list_api_keys(session=db.session, user_id=current_principal().user.id)}

    @auth_required()
    @blp.arguments(ApiKeyCreateSchema)
    @blp.response(201, ApiKeyCreatedSchema)
    @blp.alt_response(409, description="Too many active keys (too_many_api_keys)")
    def post(self, data: dict[str, Any]) -> Any:
        """Create an API key with a subset of your scopes; the key is in the answer, this once."""
        principal = current_principal()
        key, raw = apikeys.create_api_key(
            session=db.session, user=principal.user, name=data["name"].strip(), scopes=data.get("scopes"),
            granted=principal.scopes, max_keys=current_settings().auth.api_keys_max_per_user, ip=client_ip(),
        )
        return {**_attributes(key, ApiKeySchema), "key": raw}


@blp.route("/api-keys/<int:key_id>")
class ApiKeyItem(MethodView):
    @auth_required()
    @blp.response(200, ApiKeySchema)
    @blp.alt_response(404, description="No such key among yours")
    def delete(self, key_id: int) -> Any:
        """Revoke one of your API keys; it stops working at once."""
        return apikeys.revoke_api_key(session=db.session, user_id=current_principal().user.id, key_id=key_id,
                                      ip=client_ip())
