"""The one exception ingest code raises for an input it cannot turn into a report."""

from __future__ import annotations


class Rejected(Exception):
    """An input that cannot become a report: `reason` is a short code, `detail` says what was wrong."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail

    def __reduce__(self):
        # Outcomes are kept between runs (pickled); the default would call __init__ with the message alone.
        return (Rejected, (self.reason, self.detail))
