"""Admin HTTP API of the sender, one router per resource."""
