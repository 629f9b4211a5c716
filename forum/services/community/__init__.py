"""Announcements and events."""
