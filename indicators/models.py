"""Statistics tables and annual indices (see issue: indicators)."""
