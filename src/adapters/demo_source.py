"""A small but realistic Derby database for `data-extractor demo` (Derby ships with pyspark)."""

from __future__ import annotations

from typing import Any

from .session_provider import SessionProvider

DDL = (
    """CREATE TABLE APP.CUSTOMERS (
        CUSTOMER_ID INT NOT NULL PRIMARY KEY, FULL_NAME VARCHAR(120) NOT NULL,
        CITY VARCHAR(80), CREDIT_LIMIT DECIMAL(12, 2), CREATED_AT TIMESTAMP NOT NULL)""",
    """CREATE TABLE APP.PRODUCTS (
        PRODUCT_ID INT NOT NULL PRIMARY KEY, TITLE VARCHAR(120) NOT NULL,
        PRICE DECIMAL(10, 2) NOT NULL, DISCONTINUED_ON DATE)""",
    """CREATE TABLE APP.ORDERS (
        ORDER_ID BIGINT NOT NULL PRIMARY KEY, CUSTOMER_ID INT NOT NULL, PRODUCT_ID INT NOT NULL,
        QUANTITY INT NOT NULL, AMOUNT DECIMAL(14, 2), NOTE VARCHAR(200),
        UPDATED_AT TIMESTAMP NOT NULL)""",
)

# Unicode on purpose: extraction must not mangle it.
CITIES = "array('Zürich', 'São Paulo', 'Kraków', 'Москва', '東京', 'Reykjavík', 'Paris')"
NAMES = "array('Zoë', 'Ångström', 'Nuño', 'Đorđe', 'Aiko', 'Łukasz', 'Chloé', 'Søren')"


class DerbyDemoDatabase:
    """Creates and fills the demo tables through Spark (the embedded driver is on its classpath)."""

    driver = "org.apache.derby.jdbc.EmbeddedDriver"

    def __init__(self, sessions: SessionProvider, path: str) -> None:
        self._sessions = sessions
        self.url = f"jdbc:derby:{path}"

    def execute(self, *statements: str, create: bool = False) -> None:
        """Run SQL statements on one connection (DDL, INSERT ... SELECT)."""
        jvm = self._sessions.get()._jvm
        # A throwaway database: skip Derby's fsync per commit (10x faster loading).
        jvm.java.lang.System.setProperty("derby.system.durability", "test")
        jvm.java.lang.Class.forName(self.driver)
        url = f"{self.url};create=true" if create else self.url
        connection = jvm.java.sql.DriverManager.getConnection(url)
        try:
            statement = connection.createStatement()
            for sql in statements:
                statement.execute(sql)
            statement.close()
        finally:
            connection.close()

    def create(self, customers: int = 20_000, products: int = 500, orders: int = 40_000) -> None:
        """Create the schema and load the first batch of rows."""
        spark = self._sessions.get()
        self.execute(*DDL, create=True)
        self._append(
            "APP.CUSTOMERS",
            spark.range(1, customers + 1).selectExpr(
                "CAST(id AS INT) AS CUSTOMER_ID",
                f"concat(element_at({NAMES}, CAST(id % 8 + 1 AS INT)), ' #', id) AS FULL_NAME",
                f"IF(id % 13 = 0, NULL, element_at({CITIES}, CAST(id % 7 + 1 AS INT))) AS CITY",
                "IF(id % 11 = 0, NULL, CAST(id * 7.31 % 50000 AS DECIMAL(12, 2))) AS CREDIT_LIMIT",
                "timestampadd(MINUTE, CAST(id AS INT), TIMESTAMP '2023-01-01 08:00:00')"
                " AS CREATED_AT",
            ),
        )
        self._append(
            "APP.PRODUCTS",
            spark.range(1, products + 1).selectExpr(
                "CAST(id AS INT) AS PRODUCT_ID",
                "concat('Product ', id, ' – édition ', id % 5) AS TITLE",
                "CAST(1 + id * 3.17 % 900 AS DECIMAL(10, 2)) AS PRICE",
                "IF(id % 9 = 0, date_add(DATE '2024-01-01', CAST(id AS INT)), NULL)"
                " AS DISCONTINUED_ON",
            ),
        )
        self.add_orders(1, orders, "2024-06-01 00:00:00")

    def add_orders(self, first_id: int, count: int, since: str) -> None:
        """Append orders whose UPDATED_AT starts at `since`, one second apart."""
        spark = self._sessions.get()
        frame = spark.range(first_id, first_id + count).selectExpr(
            "id AS ORDER_ID",
            "CAST(id % 20000 + 1 AS INT) AS CUSTOMER_ID",
            "CAST(id % 500 + 1 AS INT) AS PRODUCT_ID",
            "CAST(id % 7 + 1 AS INT) AS QUANTITY",
            "IF(id % 17 = 0, NULL, CAST(id * 1.37 % 2000 AS DECIMAL(14, 2))) AS AMOUNT",
            "IF(id % 3 = 0, concat('livraison rapide – ', id), NULL) AS NOTE",
            f"timestampadd(SECOND, CAST(id - {first_id} AS INT), TIMESTAMP '{since}')"
            " AS UPDATED_AT",
        )
        self._append("APP.ORDERS", frame)

    def _append(self, table: str, frame: Any) -> None:
        # Spark binds NULL strings as CLOB, which Derby refuses for VARCHAR columns:
        # land the rows in a staging table Spark creates, then copy them with casts.
        stage = f"{table}_STAGE"
        frame.coalesce(1).write.jdbc(
            self.url,
            stage,
            mode="overwrite",
            properties={"driver": self.driver, "batchsize": "5000"},
        )
        columns = ", ".join(
            f"CAST({f.name} AS VARCHAR(200))" if f.dataType.typeName() == "string" else f.name
            for f in frame.schema.fields
        )
        self.execute(f"INSERT INTO {table} SELECT {columns} FROM {stage}", f"DROP TABLE {stage}")
