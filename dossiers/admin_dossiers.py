"""Admin for dossiers and their history."""
