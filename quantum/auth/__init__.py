"""Accounts, authentication and authorization: JWTs, API keys, scopes, rate limits, audit log.

Kept import-light: `quantum.tables` imports `quantum.auth.models`, so nothing here may
import the app, the views or the extensions at module level.
"""
