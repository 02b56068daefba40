"""Ministries' deliveries: the manifest format, finding deliveries on disk, loading them into DuckDB."""
