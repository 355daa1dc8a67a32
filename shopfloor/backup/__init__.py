"""Backups and restores of the live database (`flask backup`, `flask restore`)."""
