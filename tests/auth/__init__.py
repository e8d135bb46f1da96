"""Accounts, authentication and authorization (issue 3)."""
