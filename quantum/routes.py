"""URL prefixes with a rule of their own, shared by the app factory, the resilience layer and the API document."""

# Routes that must answer while the schema is not ready (and while the database is down).
GUARD_EXEMPT_PREFIXES = ("/api/health", "/api/trading/status", "/openapi.json", "/docs", "/metrics", "/static")
