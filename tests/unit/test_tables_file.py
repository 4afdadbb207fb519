"""Tables files as editors save them: a UTF-8 byte-order mark is not part of the document."""

from __future__ import annotations

import pytest

from data_extractor.entrypoints.tables_file import load_tables

DOCUMENTS = {
    "tables.json": '{"tables": [{"table_name": "orders", "is_full_extract": true}]}\n',
    "tables.yaml": "tables:\n  - table_name: orders\n    is_full_extract: true\n",
    "tables.yml": "tables:\n  - {table_name: orders, is_full_extract: true}\n",
}


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_a_tables_file_with_a_utf8_bom_is_read(tmp_path, name):
    path = tmp_path / name
    path.write_text("\ufeff" + DOCUMENTS[name], encoding="utf-8")
    [spec] = load_tables(path, "erp")
    assert spec.key == "erp/orders"
