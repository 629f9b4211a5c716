"""The moderation team's work: reports and their queue, resolutions, sanctions, tools for posts and
threads, notes.
"""
