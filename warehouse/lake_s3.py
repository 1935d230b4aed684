"""The S3 credentials of a lake whose data path is `s3://bucket/prefix/` (issue 16), from the standard AWS variables.

DuckDB's httpfs reads S3 through a secret. Its `credential_chain` provider (which would read these variables itself)
needs the `aws` extension, which cannot be installed here, so the secret is built from the environment:

- AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (both or neither), AWS_SESSION_TOKEN (temporary keys only);
- AWS_REGION, else AWS_DEFAULT_REGION;
- AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL (another store than AWS: MinIO, Ceph, moto), `http(s)://host[:port]`.
  Such stores are addressed by path (`host/bucket/key`), which all of them answer, and over plain HTTP for http://.

With none of them set, no secret is made and DuckDB reads the bucket anonymously (a public bucket). With an endpoint or
a region but no keys, the secret carries those alone (anonymous access to that store). A secret value never appears in
an error message.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

import duckdb

from warehouse.errors import LakeUnavailableError
from warehouse.statements import sql_literal

SECRET_NAME = "sotawatch_lake_s3"
_SECRET_VARIABLES = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


def _setting(environ: Mapping[str, str], *names: str) -> str | None:
    """The first of the variables set to something (an empty variable counts as unset, as the AWS tools count it)."""
    for name in names:
        value = (environ.get(name) or "").strip()
        if value:
            return value
    return None


def _endpoint(url: str, variable: str) -> tuple[str, bool]:
    """`host[:port]` and whether to use TLS, from an endpoint URL. The URL is not repeated in the error: it could
    hold a user and password."""
    try:
        parts = urlsplit(url)
        parts.port  # a port that is not a number raises here
    except ValueError:
        parts = None
    if (parts is None or parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc
            or parts.path not in ("", "/") or parts.query or parts.fragment):
        raise LakeUnavailableError(f"{variable} must be http://host[:port] or https://host[:port] (no path, no user)")
    return parts.netloc, parts.scheme == "https"


def s3_secret_statement(environ: Mapping[str, str]) -> str | None:
    """The `CREATE SECRET` statement for the lake's S3 data path from the AWS variables in `environ`; None when none
    is set. LakeUnavailableError when they cannot make a secret (a key id without its secret key, a bad endpoint)."""
    key_id = _setting(environ, "AWS_ACCESS_KEY_ID")
    secret = _setting(environ, "AWS_SECRET_ACCESS_KEY")
    token = _setting(environ, "AWS_SESSION_TOKEN")
    region = _setting(environ, "AWS_REGION", "AWS_DEFAULT_REGION")
    endpoint_variable = next((name for name in ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL")
                              if _setting(environ, name)), None)
    if bool(key_id) != bool(secret):
        present, missing = "AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID"
        if key_id:
            present, missing = missing, present
        raise LakeUnavailableError(f"the lake's S3 data path needs {missing} as well as {present} (or neither, to "
                                   "read a public bucket)")
    if token and not key_id:
        raise LakeUnavailableError("AWS_SESSION_TOKEN is set without AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
    if not (key_id or region or endpoint_variable):
        return None
    options = [("TYPE", "s3")]
    if key_id and secret:
        options += [("KEY_ID", sql_literal(key_id)), ("SECRET", sql_literal(secret))]
    if token:
        options.append(("SESSION_TOKEN", sql_literal(token)))
    if region:
        options.append(("REGION", sql_literal(region)))
    if endpoint_variable:
        host, tls = _endpoint(_setting(environ, endpoint_variable) or "", endpoint_variable)
        options += [("ENDPOINT", sql_literal(host)), ("URL_STYLE", "'path'"), ("USE_SSL", "true" if tls else "false")]
    # TEMPORARY: kept in this connection's memory only, never written to ~/.duckdb where another process could read it
    listed = ", ".join(f"{name} {value}" for name, value in options)
    return f"CREATE OR REPLACE TEMPORARY SECRET {SECRET_NAME} ({listed})"


def _redacted(error: BaseException, environ: Mapping[str, str]) -> str:
    """DuckDB's message, all of it on one line, with any secret value that it might quote back starred out."""
    said = " ".join(line.strip() for line in str(error).splitlines() if line.strip()) or type(error).__name__
    for name in _SECRET_VARIABLES:
        value = _setting(environ, name)
        if value:
            said = said.replace(value, "***")
    return said


def apply_s3_secret(con: duckdb.DuckDBPyConnection, environ: Mapping[str, str], data_path: str | None = None) -> bool:
    """Make the lake's S3 secret in this connection (httpfs loaded) from the AWS variables in `environ`; whether one
    was made (none when no variable is set: DuckDB then reads anonymously). Given the lake's `data_path`, also check
    that S3 takes the keys there (`check_data_path`)."""
    statement = s3_secret_statement(environ)
    if statement is not None:
        try:
            con.execute(statement)
        except duckdb.Error as error:
            first = _redacted(error, environ).split(" LINE 1:")[0]  # not the statement, which holds the secret
            raise LakeUnavailableError(f"DuckDB refused the S3 secret made from the AWS_* variables: {first}") from None
    if data_path is not None:
        check_data_path(con, data_path, environ)
    return statement is not None


# S3's answer to a listing it refuses, as httpfs reports it: "... (HTTP 403 Forbidden)\n\nSignatureDoesNotMatch: ..."
_S3_ANSWER = re.compile(r"\((HTTP \d{3}[^)]*)\)\s+([A-Za-z]+):")
_REFUSED_KEYS = {"SignatureDoesNotMatch", "InvalidAccessKeyId", "ExpiredToken", "InvalidToken", "TokenRefreshRequired",
                 "AuthorizationHeaderMalformed", "InvalidClientTokenId"}


def check_data_path(con: duckdb.DuckDBPyConnection, data_path: str, environ: Mapping[str, str]) -> None:
    """One listing of a name no lake file has under the data path: without it, a wrong key, a missing bucket or an
    unreachable endpoint would only show at the first load's write, as DuckDB's many-line message. AccessDenied
    passes: keys allowed to read and write objects need not be allowed to list them, and a lake names its files."""
    try:
        con.execute("SELECT count(*) FROM glob($pattern)", {"pattern": data_path + ".sotawatch-probe*"}).fetchall()
    except duckdb.Error as error:
        said = _redacted(error, environ)
        answer = _S3_ANSWER.search(said)
        if answer and answer.group(2) == "AccessDenied":
            return
        if answer:
            hint = ": check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" if answer.group(2) in _REFUSED_KEYS else ""
            raise LakeUnavailableError(f"S3 refused the lake's data path {data_path}: {answer.group(2)} "
                                       f"({answer.group(1)}){hint}") from None
        raise LakeUnavailableError(f"cannot reach the lake's data path {data_path}: {said.split(' LINE 1:')[0]}"
                                   ) from None
