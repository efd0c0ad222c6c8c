"""HTTP routers of the ingest service, one per resource."""
