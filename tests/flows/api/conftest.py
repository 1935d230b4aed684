"""The API's fixtures: the README tour's warehouse, built once per session, and one server over it."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.flows.api.serving import Served, load_tour, serving


@pytest.fixture(scope="session")
def tour_db(tmp_path_factory, shared_data) -> Path:
    return load_tour(tmp_path_factory.mktemp("tour") / "tour.duckdb", shared_data)


@pytest.fixture(scope="session")
def api(tour_db) -> Iterator[Served]:
    """One server over the tour's warehouse for the session, building its site in the background."""
    with serving(tour_db, interval=0.5) as served:
        yield served
