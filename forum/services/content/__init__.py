"""Writing and reading the forum's content: threads, posts, the pace of posting."""
