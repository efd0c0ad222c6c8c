"""HTTP routers of the oauth service, one per resource."""
