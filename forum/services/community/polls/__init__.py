"""Polls in threads: what a poll may be (``specs``), making and managing one (``making``),
voting (``voting``) and what pages show of it (``reading``)."""
