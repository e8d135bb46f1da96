"""An AI spending gateway's schema: users, API keys, budgets, policies, payments, requests."""
