"""The record for people: a static HTML report of the watched benchmarks (`flows.report.site`) and the SOTA chart
of one benchmark (`flows.report.charts`); the pages' Jinja2 templates live in `templates/`.

The export of the record as files is warehouse work: `warehouse.export`.
"""
from __future__ import annotations

from warehouse.errors import WarehouseError


class ReportError(WarehouseError):
    """Nothing to draw (an unknown or unranked benchmark, no results) or a page or chart that cannot be written; the
    message is one line."""
