"""The SOTA frontier is derived data: after any sequence of loads it must equal a fresh rebuild, and `sota_as_of`
answered from it must equal the answer computed from the result versions themselves."""
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.ingest import ingest
from tests.support.boards import board_file
from warehouse.db import connect
from warehouse.frontier import rebuild_frontier

FRONTIER = "SELECT * FROM sota_frontier ORDER BY ALL"
FILTERS = ["", ", extra_data := false", ", extra_data := true", ", estimates := true", ", extra_data := false, estimates := true"]


def answers(con, day: date, filters: str, *, from_versions: bool) -> list:
    # a far-future instant shows exactly the versions still shown, but takes the path that reads every version
    known = ", known_at := TIMESTAMP '9999-01-01'" if from_versions else ""
    return con.execute(f"SELECT * FROM sota_as_of(DATE '{day}'{filters}{known}) ORDER BY ALL").fetchall()


def assert_frontier_is_consistent(con, days):
    kept = con.execute(FRONTIER).fetchall()
    rebuild_frontier(con)
    assert con.execute(FRONTIER).fetchall() == kept
    for day in days:
        for filters in FILTERS:
            assert answers(con, day, filters, from_versions=False) == answers(con, day, filters, from_versions=True)


def test_squad_history_keeps_the_frontier_in_step(shared_data, tmp_path):
    with connect(tmp_path / "sota.duckdb") as con:
        for day in ("2019-01-03", "2019-03-27", "2021-05-20"):
            ingest(con, "pwc-dump", str(shared_data / f"pwc-sota-extractor/history/squad@{day}.json"))
            assert_frontier_is_consistent(con, [date(2018, 6, 1), date(2019, 2, 1), date(2020, 1, 1), date(2030, 1, 1)])


ENTRY = st.fixed_dictionaries(
    {
        "model": st.sampled_from(list("ABCDEFGH")),
        "value": st.sampled_from(["70", "71", "71", "72.5", "~73", "69"]),
        "day": st.one_of(st.none(), st.integers(0, 6)),
        "extra": st.sampled_from([True, False, None]),
        "metric": st.sampled_from(["Top 1 Accuracy", "Top 1 Error"]),
    }
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(snapshots=st.lists(st.lists(ENTRY, max_size=8), min_size=1, max_size=3))
def test_any_history_of_small_boards(tmp_path_factory, snapshots):
    folder = tmp_path_factory.mktemp("frontier")
    start = date(2020, 1, 1)
    with connect(folder / "sota.duckdb") as con:
        for index, entries in enumerate(snapshots):
            rows, seen = [], set()
            for e in entries:
                if (e["model"], e["metric"]) in seen:
                    continue  # one claim per model and metric in a payload
                seen.add((e["model"], e["metric"]))
                row = {"model": e["model"], "metrics": {e["metric"]: e["value"]},
                       "date": None if e["day"] is None else str(start + timedelta(days=e["day"]))}
                if e["extra"] is not None:
                    row["extra"] = e["extra"]
                rows.append(row)
            if not rows:
                continue
            path = board_file(folder, f"b@2021-01-0{index + 1}.json", {("Image Classification", "ImageNet"): rows})
            ingest(con, "pwc-dump", str(path))
        assert_frontier_is_consistent(con, [start + timedelta(days=d) for d in (-1, 0, 2, 5, 9)] + [date(2021, 1, 2)])
