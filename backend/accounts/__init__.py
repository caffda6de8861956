"""Accounts: users, passwords, API tokens, sessions (docs/security.md)."""
