"""The Oracle twin: H2 2.1 in Oracle mode, with the catalog pieces the tool reads from Oracle.

What makes it a twin: its JDBC driver reports NUMBER as Types.NUMERIC (java.math.BigDecimal)
and DATE as a timestamp with a time of day, as Oracle's thin driver does, and Oracle-mode SQL
(quoted upper-case names, TO_DATE, typed literals, ORA_HASH, NULL || text, synonyms) runs as
written. The tool reads it with its real Oracle dialect (`type = oracle`); only the session-init
PL/SQL block is replaced, through the config key users have for that (`init_statement`).

Not bridged (verified only against a real Oracle, tests/integration/test_oracle_container.py):
flashback (`AS OF SCN`), the PL/SQL session-init block, Spark's own Oracle JDBC dialect (an
`jdbc:h2:` URL makes Spark pick its H2 dialect), ORA_HASH's values, and Oracle's NLS settings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import H2_JAR
from tests.oracle_scenarios import SCHEMA, Jdbc, OracleSource

DRIVER = "org.h2.Driver"
ADMIN, ADMIN_PASSWORD = "SA", "twin_admin"
READER, READER_PASSWORD = "EXTRACTOR", "twin_reader"
# Replaces the dialect's PL/SQL block, which H2 cannot run: a no-op, because H2 needs none of
# its settings (no MODULE/ACTION, no NLS; the session time zone is the JVM's, UTC in the tool),
# and SET TIME ZONE needs admin rights the reader must not have.
INIT_STATEMENT = "SELECT 1 FROM DUAL"

# Oracle's catalog views, over H2's INFORMATION_SCHEMA, with Oracle's values: bare NUMBER (H2's
# DECFLOAT in Oracle mode) has NULL precision and scale, DATE (H2's TIMESTAMP(0) in Oracle mode)
# is 'DATE', character columns are 'VARCHAR2'. The numbers are NUMBERs, as in Oracle (NUMBER(38):
# H2's bare NUMBER is a DECFLOAT whose text is '1E+1' where Oracle's driver says '10').
CATALOG = (
    """CREATE VIEW PUBLIC.ALL_TAB_COLUMNS AS SELECT
    TABLE_SCHEMA AS OWNER, TABLE_NAME, COLUMN_NAME,
    CASE WHEN DATA_TYPE IN ('NUMERIC', 'DECFLOAT') THEN 'NUMBER'
         WHEN DATA_TYPE = 'TIMESTAMP' AND DATETIME_PRECISION = 0 THEN 'DATE'
         WHEN DATA_TYPE = 'TIMESTAMP' THEN 'TIMESTAMP(' || DATETIME_PRECISION || ')'
         WHEN DATA_TYPE = 'CHARACTER VARYING' THEN 'VARCHAR2'
         WHEN DATA_TYPE = 'CHARACTER' THEN 'CHAR'
         ELSE DATA_TYPE END AS DATA_TYPE,
    CAST(CASE WHEN DATA_TYPE = 'NUMERIC' THEN NUMERIC_PRECISION END AS NUMBER(38)) AS DATA_PRECISION,
    CAST(CASE WHEN DATA_TYPE = 'NUMERIC' THEN NUMERIC_SCALE END AS NUMBER(38)) AS DATA_SCALE,
    CAST(ORDINAL_POSITION AS NUMBER(38)) AS COLUMN_ID
    FROM INFORMATION_SCHEMA.COLUMNS""",
    """CREATE VIEW PUBLIC.ALL_SYNONYMS AS SELECT
    SYNONYM_SCHEMA AS OWNER, SYNONYM_NAME, SYNONYM_FOR_SCHEMA AS TABLE_OWNER,
    SYNONYM_FOR AS TABLE_NAME FROM INFORMATION_SCHEMA.SYNONYMS""",
    # No SCN in H2: milliseconds since 2000 grow like one. Nothing can read AS OF it here.
    """CREATE VIEW PUBLIC.V$DATABASE AS SELECT CAST(DATEDIFF('MILLISECOND',
    TIMESTAMP '2000-01-01 00:00:00', LOCALTIMESTAMP) AS NUMBER(38)) AS CURRENT_SCN FROM DUAL""",
    # SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA') and friends: the session's schema. H2 compiles
    # the body in its own JVM (javax.tools), so the JVM must be a JDK.
    """CREATE ALIAS SYS_CONTEXT AS 'String sysContext(java.sql.Connection c, String namespace,
    String parameter) throws java.sql.SQLException { return c.getSchema(); }'""",
)
GRANTS = (
    f"GRANT SELECT ON PUBLIC.ALL_TAB_COLUMNS TO {READER}",
    f"GRANT SELECT ON PUBLIC.ALL_SYNONYMS TO {READER}",
    f"GRANT SELECT ON PUBLIC.V$DATABASE TO {READER}",
)


def url(path: Path) -> str:
    """A file database in Oracle mode (open while the fixture's admin session is).

    The CLI runs in the test process, so one JVM reaches the file; AUTO_SERVER (a TCP server
    for other processes) is not needed, and would listen beyond loopback. Settings such as
    DB_CLOSE_DELAY stay out: H2 runs URL settings as SET commands that need admin rights.
    """
    return f"jdbc:h2:file:{path};MODE=Oracle"


def start_twin(spark: Any, directory: Path) -> OracleSource:
    """A fresh twin database under `directory`: schema SRC, the catalog, a reader user."""
    jdbc_url = url(directory / "twin")
    admin = Jdbc(spark, DRIVER, jdbc_url, ADMIN, ADMIN_PASSWORD)
    admin.execute(
        f"CREATE SCHEMA {SCHEMA}",
        *CATALOG,
        f"CREATE USER {READER} PASSWORD '{READER_PASSWORD}'",
        *GRANTS,
    )
    database = {
        "type": "oracle",
        "url": jdbc_url,
        "driver": DRIVER,
        "driver_jars": H2_JAR,
        "user": READER,
        "password": READER_PASSWORD,
        "init_statement": INIT_STATEMENT,
    }
    return OracleSource(
        name="twin",
        admin=admin,
        database=database,
        reader_schema="PUBLIC",
        grants=(f"GRANT SELECT ON {{table}} TO {READER}",),
    )


def stop_twin(source: OracleSource) -> None:
    """Close the database and the admin session."""
    source.admin.execute("SHUTDOWN")
    source.admin.close()
