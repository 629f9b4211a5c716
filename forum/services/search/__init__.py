"""Full-text search: following the database, the index, ranking."""
