"""Sitrep: turns raw war reporting into a DuckDB warehouse of claims, places and sources."""
