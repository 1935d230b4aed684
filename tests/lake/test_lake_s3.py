"""A lake whose data path is on S3 (issue 16), against moto on loopback that checks every signature: the secret made
from the AWS variables (`warehouse.lake_s3`), a real payload loaded and read back read-only with the same answer as
the embedded file gives, its Parquet files in the bucket, and a wrong key, a missing bucket or a half-given pair of
keys refused in one line that holds no secret."""
from __future__ import annotations

import uuid
from datetime import date

import duckdb
import pytest

from flows.ingest import ingest
from tests.support.moto import S3Keys, running_moto
from warehouse import queries
from warehouse.db import connect
from warehouse.errors import WarehouseError
from warehouse.lake import LakeUnavailableError, load_lake_extensions
from warehouse.lake_s3 import SECRET_NAME, apply_s3_secret, s3_secret_statement

BUCKET = "sotawatch-lake"
IMAGENET = "pwc-imagenet-2019-handcopy/imagenet_table.csv"
OPTIONS = {"task": "Image Classification", "dataset": "ImageNet"}
AWS_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION",
                 "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3")


# ------------------------------------------------------------------------------------------ the secret's statement


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, None),
        ({"AWS_ACCESS_KEY_ID": "", "AWS_REGION": " "}, None),  # empty variables count as unset
        ({"AWS_ACCESS_KEY_ID": "AKIA1", "AWS_SECRET_ACCESS_KEY": "s'cret", "AWS_REGION": "eu-west-1",
          "AWS_ENDPOINT_URL": "http://127.0.0.1:5000"},
         f"CREATE OR REPLACE TEMPORARY SECRET {SECRET_NAME} (TYPE s3, KEY_ID 'AKIA1', SECRET 's''cret', "
         "REGION 'eu-west-1', ENDPOINT '127.0.0.1:5000', URL_STYLE 'path', USE_SSL false)"),
        ({"AWS_ACCESS_KEY_ID": "AKIA1", "AWS_SECRET_ACCESS_KEY": "s", "AWS_SESSION_TOKEN": "t",
          "AWS_DEFAULT_REGION": "us-west-2"},
         f"CREATE OR REPLACE TEMPORARY SECRET {SECRET_NAME} (TYPE s3, KEY_ID 'AKIA1', SECRET 's', SESSION_TOKEN 't', "
         "REGION 'us-west-2')"),
        # AWS_REGION wins over AWS_DEFAULT_REGION, the S3 endpoint over the general one; https keeps TLS
        ({"AWS_REGION": "eu-central-1", "AWS_DEFAULT_REGION": "us-west-2", "AWS_ENDPOINT_URL": "http://elsewhere:1",
          "AWS_ENDPOINT_URL_S3": "https://store.example:9000/"},
         f"CREATE OR REPLACE TEMPORARY SECRET {SECRET_NAME} (TYPE s3, REGION 'eu-central-1', "
         "ENDPOINT 'store.example:9000', URL_STYLE 'path', USE_SSL true)"),
    ],
)
def test_the_secret_is_made_from_the_aws_variables(environ, expected):
    assert s3_secret_statement(environ) == expected


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"AWS_ACCESS_KEY_ID": "AKIA1"},
         "the lake's S3 data path needs AWS_SECRET_ACCESS_KEY as well as AWS_ACCESS_KEY_ID (or neither, to read a "
         "public bucket)"),
        ({"AWS_SECRET_ACCESS_KEY": "hush-hush"},
         "the lake's S3 data path needs AWS_ACCESS_KEY_ID as well as AWS_SECRET_ACCESS_KEY (or neither, to read a "
         "public bucket)"),
        ({"AWS_SESSION_TOKEN": "hush-hush"},
         "AWS_SESSION_TOKEN is set without AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"),
        ({"AWS_ENDPOINT_URL": "http://user:hush-hush@127.0.0.1:5000"},
         "AWS_ENDPOINT_URL must be http://host[:port] or https://host[:port] (no path, no user)"),
        ({"AWS_ENDPOINT_URL_S3": "127.0.0.1:5000"},
         "AWS_ENDPOINT_URL_S3 must be http://host[:port] or https://host[:port] (no path, no user)"),
        ({"AWS_ENDPOINT_URL": "http://127.0.0.1:port"},
         "AWS_ENDPOINT_URL must be http://host[:port] or https://host[:port] (no path, no user)"),
    ],
)
def test_variables_that_make_no_secret_are_one_line_without_the_secret(environ, message):
    with pytest.raises(LakeUnavailableError) as raised:
        s3_secret_statement(environ)
    assert str(raised.value) == message


def test_the_secret_lives_in_the_connection_only_and_none_is_made_without_variables():
    con = duckdb.connect()
    load_lake_extensions(con, s3=True)
    assert apply_s3_secret(con, {}) is False
    assert con.execute("SELECT count(*) FROM duckdb_secrets()").fetchall() == [(0,)]
    assert apply_s3_secret(con, {"AWS_ACCESS_KEY_ID": "AKIA1", "AWS_SECRET_ACCESS_KEY": "hush-hush"}) is True
    [(name, persistent, shown)] = con.execute("SELECT name, persistent, secret_string FROM duckdb_secrets()").fetchall()
    assert (name, persistent) == (SECRET_NAME, False) and "hush-hush" not in shown
    con.close()


# ------------------------------------------------------------------------------------------------ against moto


@pytest.fixture(scope="module")
def s3():
    """moto with one bucket, answering only requests signed with the keys it gave out."""
    with running_moto() as server:
        server.make_bucket(BUCKET)
        server.require_signatures()
        yield server


@pytest.fixture
def aws(s3, monkeypatch) -> S3Keys:
    """The AWS variables pointing at moto with good keys (none of the machine's own left over)."""
    for name in AWS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3.keys.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3.keys.secret_access_key)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3.endpoint)
    return s3.keys


def s3_lake(postgres, bucket: str = BUCKET) -> tuple[str, str]:
    """A new lake's location with its data under its own prefix of the bucket, and that prefix."""
    database = "lake_" + uuid.uuid4().hex[:12]
    postgres.create_database(database)
    prefix = f"{database}/lake/"
    return f"ducklake:postgres:{postgres.conninfo(database)} data_path=s3://{bucket}/{prefix}", prefix


def sota_2020(con) -> list[dict]:
    return queries.sota_as_of(con, date(2020, 1, 1), task="Image Classification", dataset="ImageNet",
                              metric="Top 1 Accuracy")


def without_ids(rows: list[dict]) -> list[dict]:
    """The rows without their surrogate ids: a lake numbers a load's rows in another order than the embedded file."""
    return [{key: value for key, value in row.items() if key not in ("result_id", "consolidated_id")} for row in rows]


def load_imagenet(con, shared_data) -> None:
    report = ingest(con, "csv", str(shared_data / IMAGENET), options=OPTIONS, observed_at="2019-11-13")
    assert report.status == "loaded" and report.rows_loaded > 0


def test_a_lake_on_s3_loads_and_reads_back_what_the_embedded_file_does(postgres, aws, s3, shared_data, tmp_path):
    location, prefix = s3_lake(postgres)
    con = connect(location)
    load_imagenet(con, shared_data)
    con.close()

    reader = connect(location, read_only=True)
    lake_answer = sota_2020(reader)
    raw = reader.execute("SELECT model, value FROM sota_as_of(DATE '2020-01-01') WHERE dataset = 'ImageNet' "
                         "AND metric = 'Top 1 Accuracy'").fetchall()
    files = [row[0] for row in reader.execute(f"SELECT file FROM glob('s3://{BUCKET}/{prefix}**')").fetchall()]
    reader.close()

    embedded = connect(tmp_path / "sota.duckdb")
    load_imagenet(embedded, shared_data)
    file_answer = sota_2020(embedded)
    embedded.close()

    assert [(row["model"], row["value"]) for row in lake_answer] == [("Noisy Student (EfficientNet-L2)", 87.4)]
    assert raw == [("Noisy Student (EfficientNet-L2)", 87.4)]
    assert without_ids(lake_answer) == without_ids(file_answer)
    keys = s3.object_keys(BUCKET, prefix)
    assert keys and all(key.endswith(".parquet") for key in keys)
    assert any(key.startswith(f"{prefix}main/results/") for key in keys)
    assert sorted(files) == [f"s3://{BUCKET}/{key}" for key in keys]


def one_line_refusal(location: str) -> str:
    with pytest.raises(WarehouseError) as raised:
        connect(location)
    message = str(raised.value)
    assert "\n" not in message
    return message


def test_a_wrong_secret_key_is_refused_in_one_line_without_the_secret(postgres, aws, monkeypatch):
    location, prefix = s3_lake(postgres)
    wrong = "wrong-" + uuid.uuid4().hex
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", wrong)
    message = one_line_refusal(location)
    assert message == (f"S3 refused the lake's data path s3://{BUCKET}/{prefix}: SignatureDoesNotMatch "
                       "(HTTP 403 Forbidden): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
    assert wrong not in message and aws.secret_access_key not in message


def test_a_missing_bucket_or_an_unreachable_store_is_one_line(postgres, aws, monkeypatch):
    location, prefix = s3_lake(postgres, bucket="no-such-bucket")
    assert one_line_refusal(location) == (f"S3 refused the lake's data path s3://no-such-bucket/{prefix}: "
                                          "NoSuchBucket (HTTP 404 Not Found)")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
    location, prefix = s3_lake(postgres)
    message = one_line_refusal(location)
    assert message.startswith(f"cannot reach the lake's data path s3://{BUCKET}/{prefix}: ")
    assert aws.secret_access_key not in message
