"""Claim extraction: sources, attribution, event types, dates, quantities and evidence."""
