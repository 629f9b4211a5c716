"""Site settings, the community overview, timers."""
