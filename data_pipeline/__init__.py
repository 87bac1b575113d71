"""Sector Pulse data pipeline: agency files -> raw cache with provenance -> DuckDB warehouse."""
