"""Dagster definitions, one module per stage: ingest, extract, warehouse (marts join in later issues)."""
