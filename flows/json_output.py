"""`--json` output of the commands: what `json` cannot write by itself, as DuckDB hands it back."""
from __future__ import annotations

import json
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any


def _default(value: Any) -> Any:
    # Exact decimals (a DECIMAL column, a literal such as 1.5 in ad hoc SQL) stay numbers; dates and times are ISO
    # text; blobs are hex; UUIDs, intervals and anything else are their text.
    if isinstance(value, Decimal):
        return int(value) if value.is_finite() and value == value.to_integral_value() else float(value)
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=_default)
