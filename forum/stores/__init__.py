"""State that the policy and the services both read: site settings and rate counters (in the
database, or Redis).
"""
