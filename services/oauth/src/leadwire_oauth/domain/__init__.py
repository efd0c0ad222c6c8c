"""Plain logic of the oauth service: no I/O here."""
