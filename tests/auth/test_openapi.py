"""The OpenAPI document describes the auth routes, their security and the scopes they need."""

from __future__ import annotations


def test_openapi_documents_auth(client):
    spec = client.get("/openapi.json").get_json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearerAuth"]["scheme"] == "bearer"
    assert schemes["apiKeyAuth"] == {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    for path in ("/api/auth/register", "/api/auth/login", "/api/auth/refresh", "/api/auth/logout", "/api/auth/me",
                 "/api/auth/api-keys", "/api/auth/api-keys/{key_id}", "/api/admin/users", "/api/admin/audit-log"):
        assert path in spec["paths"], path
    me = spec["paths"]["/api/auth/me"]["get"]
    assert me["security"] == [{"bearerAuth": []}, {"apiKeyAuth": []}]
    assert {"401", "403"} <= set(me["responses"])
    assert "security" not in spec["paths"]["/api/auth/login"]["post"]
    assert "429" in spec["paths"]["/api/auth/login"]["post"]["responses"]
    admin = spec["paths"]["/api/admin/users"]["get"]
    assert admin["x-required-scopes"] == ["admin"] and admin["x-required-role"] == "admin"
    user_schema = spec["components"]["schemas"]["User"]["properties"]
    assert "password_hash" not in user_schema and "role" in user_schema
