"""Manifest -> per-category folders: HTTP fetching, retries, validation, resume (issue 3)."""
