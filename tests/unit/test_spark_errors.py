"""Transient or not: real driver exceptions through py4j, and the texts other databases send."""

from __future__ import annotations

import socket
import uuid
from pathlib import Path

import pytest
from py4j.protocol import Py4JJavaError

from data_extractor.adapters import spark_errors
from data_extractor.adapters.spark_errors import translate
from data_extractor.domain.errors import ExtractionError, TransientSourceError
from tests.conftest import PG_JAR, unavailable


def connect_postgres(spark, url: str, user: str = "postgres") -> None:
    """Open a connection with the real pgjdbc driver through the gateway (raises on failure)."""
    jvm = spark._jvm
    loader = jvm.org.apache.spark.util.Utils.getContextOrSparkClassLoader()
    driver = jvm.java.lang.Class.forName("org.postgresql.Driver", True, loader).newInstance()
    props = jvm.java.util.Properties()
    props.setProperty("user", user)
    props.setProperty("password", "not-the-password")
    props.setProperty("connectTimeout", "5")
    driver.connect(url, props).close()


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def pg_driver(spark):
    if not Path(PG_JAR).exists():
        unavailable(f"PostgreSQL JDBC jar not found at {PG_JAR}")
    return spark


def test_a_refused_connection_is_transient(pg_driver):
    # Before: "ConnectException: Connection refused" matched nothing: the table failed at once.
    with pytest.raises(Py4JJavaError) as caught:
        connect_postgres(pg_driver, f"jdbc:postgresql://127.0.0.1:{closed_port()}/postgres")
    error = translate(caught.value, "probing pg/orders")
    assert isinstance(error, TransientSourceError)
    assert str(error).startswith("probing pg/orders: ")
    assert "refused" in str(error) and "\n" not in str(error)


def test_a_rejected_login_is_not_transient_and_keeps_its_cause(pg_admin, pg_driver):
    role = f"nobody_{uuid.uuid4().hex[:8]}"
    with pytest.raises(Py4JJavaError) as caught:
        connect_postgres(pg_driver, "jdbc:postgresql://127.0.0.1:5432/postgres", role)
    error = translate(caught.value, "probing pg/orders")
    assert type(error) is ExtractionError
    assert f'role "{role}" does not exist' in str(error)


def java_chain(spark, outer: str, state: str | None, inner: str) -> Py4JJavaError:
    """A real Java SQLException (with SQLState) caused by an IOException, as py4j hands it."""
    jvm = spark._jvm
    cause = jvm.java.io.IOException(inner)
    exception = jvm.java.sql.SQLRecoverableException(outer, state, 0, cause)
    return Py4JJavaError("An error occurred while calling o42.load.\n", exception)


def test_the_whole_java_chain_is_matched_not_only_the_innermost_cause(spark):
    # Before: only "IOException: EOF while reading" was looked at.
    error = java_chain(spark, "ORA-17410: No more data to read from socket", None, "EOF")
    translated = translate(error, "reading s/t")
    assert isinstance(translated, TransientSourceError)
    assert str(translated) == "reading s/t: IOException: EOF"


@pytest.mark.parametrize("state", ["08006", "08001", "08S01", "57P01", "57P02", "57P03"])
def test_connection_sqlstates_are_transient(spark, state):
    assert spark_errors.is_transient(java_chain(spark, "driver says something", state, "unclear"))


def test_a_login_refused_inside_a_connection_error_is_not_transient(spark):
    # MySQL: 08001 "Could not create connection" caused by a 28000 login refusal.
    jvm = spark._jvm
    refused = jvm.java.sql.SQLException("(conn=7) user 'x' is not allowed", "28000", 1045)
    outer = jvm.java.sql.SQLNonTransientConnectionException("cannot connect", "08001", 0, refused)
    error = Py4JJavaError("An error occurred while calling o42.load.\n", outer)
    assert not spark_errors.is_transient(error)


def test_other_sqlstates_are_not(spark):
    assert not spark_errors.is_transient(java_chain(spark, "syntax error at or near", "42601", "x"))


@pytest.mark.parametrize(
    "text",
    [
        # Oracle thin driver and server
        "IO Error: The Network Adapter could not establish the connection",
        "ORA-17002: I/O error: Connection reset",
        "ORA-17008: Closed Connection",
        "Closed Connection",
        "ORA-17410: No more data to read from socket",
        "ORA-17800: Got minus one from a read call",
        "ORA-12514: Cannot connect to database. Service ORCLPDB1 is not registered",
        "ORA-12541: Cannot connect. No listener at host db port 1521.",
        "ORA-12528: TNS:listener: all appropriate instances are blocking new connections",
        "ORA-01033: ORACLE initialization or shutdown in progress",
        "ORA-01034: ORACLE not available",
        "ORA-01089: immediate shutdown or close in progress - no operations are permitted",
        "ORA-03135: connection lost contact",
        # PostgreSQL
        "FATAL: the database system is not yet accepting connections",
        "FATAL: the database system is starting up",
        "FATAL: the database system is shutting down",
        "FATAL: terminating connection due to administrator command",
        "Connection to db:5432 refused. Check that the hostname and port are correct",
        # SQL Server
        "The TCP/IP connection to the host db, port 1433 has failed. Error: Connection refused",
        # MySQL / MariaDB
        "Communications link failure",
        "Could not create connection to database server. Attempted reconnect 3 times.",
        "Socket fail to connect to host:address=(host=db)(port=3306)(type=primary). "
        "Connection refused",
    ],
)
def test_restart_and_network_texts_are_transient(text):
    assert isinstance(translate(RuntimeError(text), "probing s/t"), TransientSourceError)


@pytest.mark.parametrize(
    "text",
    [
        'FATAL: password authentication failed for user "***"',
        "ORA-01017: invalid credential or not authorized; logon denied",
        "ORA-00942: table or view does not exist",
        "Login failed for user '***'.",
        "Access denied for user '***'@'10.0.0.1' (using password: YES)",
        "cursor ratio error in column X",
        # a connection error around a permanent cause: the cause wins
        "Could not create connection to database server. Access denied for user 'x'@'h'",
        "IO Error: Unknown host specified",
        "ERROR: canceling statement due to statement timeout",
    ],
)
def test_wrong_input_is_not_transient_and_keeps_its_words(text):
    error = translate(RuntimeError(text), "probing s/t")
    assert type(error) is ExtractionError
    assert str(error) == f"probing s/t: {text}"


def test_a_python_cause_counts_too():
    try:
        try:
            raise OSError("Connection reset by peer")
        except OSError as inner:
            raise RuntimeError("write failed") from inner
    except RuntimeError as outer:
        assert spark_errors.is_transient(outer)


def test_our_own_errors_pass_through_unchanged():
    error = translate(ExtractionError("s/t: MAX(X) is 'a'"), "probing s/t")
    assert type(error) is ExtractionError and str(error) == "s/t: MAX(X) is 'a'"
