"""Rules of the forum: each service takes the actor, the target and plain data, and commits once."""
