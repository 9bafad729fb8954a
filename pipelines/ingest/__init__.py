"""Ingest: turns a folder of raw inputs (text, markdown, JSON, JSON Lines, HTML, Telegram exports) into
report rows, rejected inputs and a ledger that accounts for every input. Pure functions, no Dagster."""
