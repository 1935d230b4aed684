"""Warehouse locations (issue 16): an embedded file, or a DuckLake's catalog and data path, read from one string; a
malformed one, or a lake asked of an install that cannot open one, is a one-line error."""
from __future__ import annotations

import pytest

try:
    import duckdb_extensions  # noqa: F401 - the lake extra's wheels
    LAKE_ENV = True
except ImportError:
    LAKE_ENV = False

from warehouse.lake import LakeLocation, LakeUnavailableError, is_lake, parse_lake_location


def test_a_lake_location_gives_its_catalog_and_data_path():
    location = parse_lake_location(
        "ducklake:postgres:dbname=sota host=127.0.0.1 port=5432 user=sota data_path=/srv/sota-lake")
    assert location == LakeLocation("dbname=sota host=127.0.0.1 port=5432 user=sota", "/srv/sota-lake/")
    assert location.attach_target == "ducklake:postgres:dbname=sota host=127.0.0.1 port=5432 user=sota"
    assert location.describe() == "DuckLake sota on 127.0.0.1:5432, data at /srv/sota-lake/"
    quoted = parse_lake_location("ducklake:postgres:dbname='my lake' host=db data_path=s3://bucket/prefix/")
    assert (quoted.catalog, quoted.data_path) == ("dbname='my lake' host=db", "s3://bucket/prefix/")
    assert is_lake(" ducklake:postgres:dbname=x") and not is_lake("sota.duckdb") and not is_lake(None)


@pytest.mark.parametrize(("text", "problem"), [
    ("ducklake:postgres:dbname=sota host=db", "needs one data_path=FOLDER"),
    ("ducklake:postgres:data_path=/x", "names no catalog database"),
    ("ducklake:postgres:dbname=sota password=hunter2 data_path=/x", "must not hold a password"),
    ("ducklake:postgres:dbname=sota junk data_path=/x", "has 'junk', not key=value"),
    ("ducklake:postgres:dbname='open data_path=/x", "cannot be read"),
    ("sota.duckdb", "not a lake location"),
])
def test_a_malformed_location_is_one_line_naming_what_is_wrong(text, problem):
    with pytest.raises(LakeUnavailableError) as caught:
        parse_lake_location(text)
    assert problem in str(caught.value) and "\n" not in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_the_base_install_says_how_to_get_a_lake():
    try:
        import duckdb_extensions  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("this is the lake environment: the lake extensions are installed")
    from warehouse.lake import open_lake

    with pytest.raises(LakeUnavailableError, match=r"install the lake extra \(pip install 'sotawatch\[lake\]'\)"):
        open_lake(parse_lake_location("ducklake:postgres:dbname=x host=127.0.0.1 data_path=/tmp/x"))


def test_a_lake_that_cannot_be_opened_is_one_line_and_no_file_is_made_of_its_location(tmp_path, monkeypatch, capsys):
    from flows.cli import main

    monkeypatch.chdir(tmp_path)
    url = "ducklake:postgres:dbname=sota host=127.0.0.1 port=1 data_path=/srv/lake"  # nothing listens on port 1
    code = main(["asof", "2020-01-01", "--db", url])
    err = " ".join(capsys.readouterr().err.split())
    assert code != 0 and "Traceback" not in err
    if LAKE_ENV:
        assert "cannot open DuckLake sota on 127.0.0.1:1, data at /srv/lake/:" in err
    else:
        assert "this install cannot open a DuckLake: install the lake extra (pip install 'sotawatch[lake]')" in err
    assert list(tmp_path.iterdir()) == []  # no file named after the location


def test_what_works_on_a_file_as_such_refuses_a_lake_in_one_line(tmp_path, monkeypatch, capsys):
    from flows.cli import main

    monkeypatch.chdir(tmp_path)
    code = main(["api", "--db", "ducklake:postgres:dbname=sota host=127.0.0.1 data_path=/srv/lake", "--port", "1"])
    err = " ".join(capsys.readouterr().err.split())
    assert code != 0 and "Traceback" not in err
    assert "DuckLake sota on 127.0.0.1:5432, data at /srv/lake/: this command works on a DuckDB file, not a lake" in err
