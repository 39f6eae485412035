"""Which keys of the tenant tables include network_id (what distributing by network would need).

Citus (docs/operations.md, "Growing past one PostgreSQL") requires every primary key, unique and
exclusion constraint of a distributed table to include the distribution column. This test lists them
all for every table that carries ``network_id`` and prints which lack it, so the gap is visible.
"""

from __future__ import annotations

from sqlalchemy import text

KEYS = text(
    """
    WITH tenant AS (
        SELECT c.oid, c.relname FROM pg_class c
          JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'network_id' AND NOT a.attisdropped
         WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace
           AND c.relname <> 'network_agreements'  -- the installation's (a reference table on Citus)
    )
    SELECT t.relname AS table_name, i.relname AS key_name,
           CASE WHEN x.indisprimary THEN 'primary key'
                WHEN con.contype = 'x' THEN 'exclusion'
                ELSE 'unique' END AS kind,
           pg_get_indexdef(x.indexrelid) AS definition,
           EXISTS (SELECT 1 FROM unnest(x.indkey) k JOIN pg_attribute a
                     ON a.attrelid = t.oid AND a.attnum = k AND a.attname = 'network_id') AS has_network
      FROM tenant t
      JOIN pg_index x ON x.indrelid = t.oid
      JOIN pg_class i ON i.oid = x.indexrelid
      LEFT JOIN pg_constraint con ON con.conindid = x.indexrelid AND con.conrelid = x.indrelid
                                  AND con.contype IN ('p', 'u', 'x')
     WHERE x.indisunique OR x.indisprimary OR con.contype = 'x'
     ORDER BY t.relname, i.relname
    """
)


async def test_keys_of_tenant_tables_and_which_lack_network_id(db_session, capsys):
    rows = (await db_session.execute(KEYS)).all()
    tables = {r.table_name for r in rows}
    assert {"items", "bookings", "occupancies", "ledger_entries", "users", "municipalities"} <= tables
    by_name = {(r.table_name, r.key_name): r for r in rows}
    # Every table has its primary key listed; the parents' (network_id, id) keys include the network.
    assert all(any(r.kind == "primary key" and r.table_name == t for r in rows) for t in tables)
    assert by_name[("items", "uq_items_network_id")].has_network
    assert by_name[("municipalities", "uq_municipalities_network_name")].has_network
    assert by_name[("occupancies", "ex_occupancies_no_overlap")].kind == "exclusion"
    lacking = [r for r in rows if not r.has_network]
    report = [f"{len(rows)} keys of {len(tables)} tenant tables; {len(lacking)} lack network_id:"]
    report += [f"  {r.table_name:<22} {r.kind:<12} {r.key_name}" for r in lacking]
    report += ["with network_id:"]
    report += [f"  {r.table_name:<22} {r.kind:<12} {r.key_name}" for r in rows if r.has_network]
    with capsys.disabled():
        print("\n" + "\n".join(report))
    assert lacking, "nothing lacks network_id any more: update docs/operations.md"
