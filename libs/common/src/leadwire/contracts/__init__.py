"""Event payload models, one module per area. Import them from `leadwire.events`."""
