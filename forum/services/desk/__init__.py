"""The community manager's desk: what waits for an answer from the team, in one place."""
