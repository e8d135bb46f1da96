"""Request and response schemas (marshmallow) for the auth and admin routes."""

from __future__ import annotations

import unicodedata
from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates

from quantum import fields as numbers
from quantum.auth.models import AccountStatus, ApiKeyStatus, Tier, UserRole
from quantum.auth.passwords import MAX_LENGTH as PASSWORD_MAX
from quantum.auth.passwords import password_problems
from quantum.auth.scopes import ALL_SCOPES
from quantum.openapi import string_enum

EMAIL_MAX = 254
#: How the current request authenticated (`/api/auth/me`).
AUTH_METHODS = ("jwt", "api_key")
USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,31}$"


def _no_control_characters(value: str) -> None:
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value):
        raise ValidationError("must not contain control characters or unpaired surrogates")


def _strip_lower_email(data: Any) -> Any:
    if isinstance(data, dict) and isinstance(data.get("email"), str):
        data = {**data, "email": data["email"].strip().lower()}
    return data


def _email_field() -> fields.Email:
    return fields.Email(
        required=True, validate=validate.Length(max=EMAIL_MAX), metadata={"example": "ada@example.com"}
    )


def _scope() -> fields.String:
    return string_enum("Scope", ALL_SCOPES)


class RegisterSchema(Schema):
    email = _email_field()
    password = fields.String(
        required=True, validate=validate.Length(max=PASSWORD_MAX),
        metadata={"description": f"8 to {PASSWORD_MAX} characters, a letter and a digit or symbol",
                  "example": "correct-horse-42"},
    )
    username = fields.String(
        load_default=None, allow_none=True,
        validate=validate.Regexp(USERNAME_PATTERN, error="3 to 32 letters, digits, '.', '_' or '-', starting with a "
                                                         "letter or digit"),
        metadata={"example": "ada_lovelace"},
    )

    @pre_load
    def _normalize(self, data: Any, **_kwargs: Any) -> Any:
        return _strip_lower_email(data)

    @validates("password")
    def _password_policy(self, value: str, **_kwargs: Any) -> None:
        problems = password_problems(value)
        if problems:
            raise ValidationError([f"the password {problem}" for problem in problems])


class LoginSchema(Schema):
    email = _email_field()
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024),
                             metadata={"example": "correct-horse-42"})

    @pre_load
    def _normalize(self, data: Any, **_kwargs: Any) -> Any:
        return _strip_lower_email(data)


class LogoutSchema(Schema):
    refresh_token = fields.String(
        load_default=None, allow_none=True,
        validate=[validate.Length(max=4096), validate.Regexp(r"^[A-Za-z0-9_.=-]+$", error="not a token")],
        metadata={"description": "also revoke this refresh token (it must belong to the same user)"},
    )


class UserSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    username = fields.String(allow_none=True)
    tier = fields.Enum(Tier, by_value=True)
    account_status = fields.Enum(AccountStatus, by_value=True)
    role = fields.Enum(UserRole, by_value=True)
    created_at = fields.DateTime()


class MeSchema(UserSchema):
    scopes = fields.List(_scope(), metadata={"description": "what the current credential may do"})
    auth_method = string_enum("AuthMethod", AUTH_METHODS, metadata={"description": "jwt or api_key"})


class TokenSchema(Schema):
    access_token = fields.String()
    refresh_token = fields.String()
    token_type = fields.String(metadata={"example": "Bearer"})
    expires_in = fields.Integer(allow_none=True, metadata={"description": "seconds the access token lives"})
    refresh_expires_in = fields.Integer(allow_none=True)
    scopes = fields.List(_scope())


class LogoutResultSchema(Schema):
    revoked = fields.List(fields.String(), metadata={"example": ["access", "refresh"]})
    message = fields.String()


class ApiKeyCreateSchema(Schema):
    name = fields.String(required=True, validate=[validate.Length(min=1, max=100), _no_control_characters])
    scopes = fields.List(
        _scope(), load_default=None, allow_none=True,
        validate=validate.Length(min=1, max=len(ALL_SCOPES) * 2),
        metadata={"description": "a subset of your scopes; all of them when omitted"},
    )

    @validates("name")
    def _strip(self, value: str, **_kwargs: Any) -> None:
        if not value.strip():
            raise ValidationError("must not be blank")


class ApiKeySchema(Schema):
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String(metadata={"description": "the first characters of the key, for recognizing it"})
    scopes = fields.List(_scope())
    status = string_enum("ApiKeyStatus", ApiKeyStatus)
    usage_count = fields.Integer()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


class ApiKeyCreatedSchema(ApiKeySchema):
    key = fields.String(metadata={"description": "the key in clear: shown this once, never again"})


class ApiKeyListSchema(Schema):
    items = fields.List(fields.Nested(ApiKeySchema))


class UserListArgsSchema(Schema):
    limit = numbers.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    offset = numbers.Integer(load_default=0, validate=validate.Range(min=0, max=10_000_000))
    email = fields.String(load_default=None, validate=[validate.Length(max=EMAIL_MAX), _no_control_characters])


class UserListSchema(Schema):
    items = fields.List(fields.Nested(UserSchema))


class UserUpdateSchema(Schema):
    account_status = fields.Enum(AccountStatus, by_value=True)
    tier = fields.Enum(Tier, by_value=True)
    role = fields.Enum(UserRole, by_value=True)


class AuditArgsSchema(Schema):
    user_id = numbers.Integer(load_default=None, validate=validate.Range(min=1, max=numbers.MAX_INT32))
    action = fields.String(load_default=None, validate=[validate.Length(max=64), _no_control_characters])
    limit = numbers.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    before_id = numbers.Integer(load_default=None, validate=validate.Range(min=1, max=numbers.MAX_INT32))


class AuditEntrySchema(Schema):
    id = fields.Integer()
    user_id = fields.Integer(allow_none=True)
    action = fields.String()
    details = fields.Dict()
    ip_address = fields.String(allow_none=True)
    created_at = fields.DateTime()


class AuditListSchema(Schema):
    items = fields.List(fields.Nested(AuditEntrySchema))
    next_before_id = fields.Integer(allow_none=True)
