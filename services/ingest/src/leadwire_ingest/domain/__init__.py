"""Ingest's pure logic: parsing raw mail, reply text, signals and the lead decision."""
