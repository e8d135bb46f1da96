"""Archival of old snapshots and filled orders."""
