"""A lake's turns (flows.locks) on a real Prefect server: several processes taking a turn nobody has taken yet.

The limit behind a turn is made by the first process to want it; Prefect's upsert reads then creates, so processes
arriving at once all find it missing and all but one have their create refused. Threads here stand for the processes
(the race is at the server, not in this process), started together at a barrier."""
from __future__ import annotations

import contextvars
import threading
import time
import uuid

from prefect.settings import PREFECT_API_URL, temporary_settings

from flows.locks import prefect_turn

TAKERS = 4


def test_takers_of_a_new_turn_at_once_all_get_it_one_after_another(prefect):
    names = [f"sotawatch-test-{uuid.uuid4().hex[:8]}" for _ in range(5)]
    held: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    failures: list[BaseException] = []
    barrier = threading.Barrier(TAKERS)

    def take(name: str) -> None:
        try:
            barrier.wait()
            with prefect_turn(name, 60, None, "another taker"):
                start = time.monotonic()
                time.sleep(0.05)
                held[name].append((start, time.monotonic()))
        except BaseException as error:  # noqa: BLE001 - the test reports what any taker met
            failures.append(error)

    with temporary_settings({PREFECT_API_URL: prefect.api_url}):
        for name in names:
            # Prefect's settings are a context variable, which a new thread does not inherit: each runs in a copy.
            takers = [threading.Thread(target=contextvars.copy_context().run, args=(take, name)) for _ in range(TAKERS)]
            for taker in takers:
                taker.start()
            for taker in takers:
                taker.join(120)
    assert failures == []
    for name, spans in held.items():
        assert len(spans) == TAKERS, name
        spans.sort()
        assert all(earlier[1] <= later[0] for earlier, later in zip(spans, spans[1:])), f"{name} held twice at once"
