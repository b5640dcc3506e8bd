"""Folders that change: index --sync and watch."""
