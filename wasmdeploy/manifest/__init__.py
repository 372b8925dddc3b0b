"""Manifest: load, variables, schema, checks, model."""
