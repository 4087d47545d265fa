"""Exports: pure (headers, rows) builders and one small writer per file format."""
