"""Helpers below every domain: time formatting, markup, paging, caches. They know nothing of the
forum's rules.
"""
