"""HTTP routers of the notifier, one per resource."""
