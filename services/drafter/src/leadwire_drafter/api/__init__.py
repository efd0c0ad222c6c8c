"""Admin HTTP API of the drafter, one router per resource."""
