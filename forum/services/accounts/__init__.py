"""Accounts, profiles, roles and the staff list."""
