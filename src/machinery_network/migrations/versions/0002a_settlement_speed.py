"""settlement speed: entries are assigned to their (pending) settlement when posted

Settling a month used to UPDATE every entry of the month (200,000 rows per municipality in the
benchmark: about 3.5 s each, non-HOT updates through nine indexes plus a foreign-key check and a
plpgsql guard per row). Now each entry is assigned when it is posted, by a BEFORE INSERT trigger, to
the *pending* settlement of its municipality: the row of the first month at or after its value date
whose settlement is not frozen yet (created on demand, ``frozen = false``). Settling a month then
only aggregates the entries already attached to it (plus, rarely, entries of earlier pending months,
which are moved), writes the lines and freezes the row. The guarantees stay in the database:

- every entry belongs to exactly one settlement (``settlement_id NOT NULL``, foreign key);
- entries of a frozen settlement never change; an entry can only move between pending settlements
  of its municipality, to one whose month covers its value date; nothing else of an entry changes;
- DELETE of entries is refused; lines can only be added to a pending settlement;
- posting takes a shared advisory lock per municipality, settling the exclusive one, so no entry is
  attached to a settlement while it is being frozen: a posting either commits before the settlement
  reads the entries, or waits and then lands in the next pending month.

A settlement is visible to the API, exports and pages only once frozen.

Revision ID: 0002_settlement_speed
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

# Second key of pg_advisory_xact_lock(ns, municipality_id), defined once.
from machinery_network.locks import POSTING_LOCK

revision: str = "0002_settlement_speed"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


UP = [
    "DROP TRIGGER tg_ledger_guard ON ledger_entries",
    "DROP FUNCTION mn_ledger_guard()",
    "DROP INDEX IF EXISTS ix_ledger_unsettled",
    # Totals of a whole municipality may exceed 21 million euros one day.
    "ALTER TABLE settlements ALTER COLUMN total_charges_cents TYPE bigint, "
    "ALTER COLUMN total_credits_cents TYPE bigint, ALTER COLUMN total_net_cents TYPE bigint",
    # Each entry can be reversed once (the service's check gives the friendly 409).
    "CREATE UNIQUE INDEX uq_ledger_reversed_once ON ledger_entries (reverses_entry_id) "
    "WHERE reverses_entry_id IS NOT NULL",
    "CREATE INDEX ix_settlements_pending ON settlements (municipality_id, month) WHERE NOT frozen",
    r"""
    CREATE FUNCTION mn_pending_settlement(p_municipality integer, p_value_date date) RETURNS integer
    LANGUAGE plpgsql AS $$
    DECLARE
        m date := date_trunc('month', p_value_date)::date;
        sid integer;
        is_frozen boolean;
    BEGIN
        LOOP
            SELECT id, frozen INTO sid, is_frozen FROM settlements
             WHERE municipality_id = p_municipality AND month = m;
            IF NOT FOUND THEN
                INSERT INTO settlements (municipality_id, month, cutoff, entry_count, farmer_count,
                        total_charges_cents, total_credits_cents, total_net_cents, run_by_label, frozen)
                VALUES (p_municipality, m, (m + interval '1 month' - interval '1 day')::date, 0, 0, 0, 0, 0, '',
                        false)
                ON CONFLICT ON CONSTRAINT uq_settlements_municipality_month DO NOTHING
                RETURNING id INTO sid;
                IF sid IS NOT NULL THEN
                    RETURN sid;
                END IF;
                CONTINUE;  -- a concurrent posting created it: read it again
            END IF;
            IF NOT is_frozen THEN
                RETURN sid;
            END IF;
            m := (m + interval '1 month')::date;  -- that month is settled: the entry is late
        END LOOP;
    END $$
    """,
    rf"""
    CREATE FUNCTION mn_ledger_assign() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.settlement_id IS NOT NULL THEN
            RAISE EXCEPTION 'the settlement of a ledger entry is assigned by the database'
                USING ERRCODE = '55000';
        END IF;
        PERFORM pg_advisory_xact_lock_shared({POSTING_LOCK}, NEW.municipality_id);
        NEW.settlement_id := mn_pending_settlement(NEW.municipality_id, NEW.value_date);
        RETURN NEW;
    END $$
    """,
    r"""
    CREATE FUNCTION mn_ledger_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        old_frozen boolean;
        target record;
    BEGIN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'ledger entries are append-only'
                USING ERRCODE = '55000', HINT = 'post a reversal instead';
        END IF;
        SELECT frozen INTO old_frozen FROM settlements WHERE id = OLD.settlement_id;
        IF old_frozen THEN
            RAISE EXCEPTION 'ledger entry % is settled and cannot change', OLD.id
                USING ERRCODE = '55000', HINT = 'post a reversal in an open month';
        END IF;
        IF NEW.id <> OLD.id OR NEW.farmer_id <> OLD.farmer_id OR NEW.municipality_id <> OLD.municipality_id
           OR NEW.value_date <> OLD.value_date OR NEW.kind <> OLD.kind
           OR NEW.amount_cents <> OLD.amount_cents OR NEW.net_cents <> OLD.net_cents
           OR NEW.vat_cents <> OLD.vat_cents OR NEW.vat_percent <> OLD.vat_percent
           OR NEW.quantity IS DISTINCT FROM OLD.quantity OR NEW.unit IS DISTINCT FROM OLD.unit
           OR NEW.rate_cents IS DISTINCT FROM OLD.rate_cents
           OR NEW.text <> OLD.text OR NEW.reason IS DISTINCT FROM OLD.reason
           OR NEW.booking_id IS DISTINCT FROM OLD.booking_id
           OR NEW.care_log_id IS DISTINCT FROM OLD.care_log_id
           OR NEW.reverses_entry_id IS DISTINCT FROM OLD.reverses_entry_id
           OR NEW.created_by IS DISTINCT FROM OLD.created_by
           OR NEW.created_at <> OLD.created_at THEN
            RAISE EXCEPTION 'ledger entry % is append-only: only its pending settlement may change', OLD.id
                USING ERRCODE = '55000';
        END IF;
        SELECT municipality_id, cutoff, frozen INTO target FROM settlements WHERE id = NEW.settlement_id;
        IF NOT FOUND OR target.frozen OR target.municipality_id <> NEW.municipality_id
           OR target.cutoff < NEW.value_date THEN
            RAISE EXCEPTION 'ledger entry % can only move to a pending settlement of its municipality '
                'covering its value date', OLD.id USING ERRCODE = '55000';
        END IF;
        RETURN NEW;
    END $$
    """,
    r"""
    CREATE FUNCTION mn_settlement_lines_pending() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM new_lines l JOIN settlements s ON s.id = l.settlement_id WHERE s.frozen) THEN
            RAISE EXCEPTION 'lines can only be added to a settlement that is not frozen' USING ERRCODE = '55000';
        END IF;
        RETURN NULL;
    END $$
    """,
    # Existing unsettled entries join their pending settlement before the column becomes mandatory.
    "UPDATE ledger_entries SET settlement_id = mn_pending_settlement(municipality_id, value_date) "
    "WHERE settlement_id IS NULL",
    "ALTER TABLE ledger_entries ALTER COLUMN settlement_id SET NOT NULL",
    "CREATE TRIGGER tg_ledger_assign BEFORE INSERT ON ledger_entries "
    "FOR EACH ROW EXECUTE FUNCTION mn_ledger_assign()",
    "CREATE TRIGGER tg_ledger_guard BEFORE UPDATE ON ledger_entries "
    "FOR EACH ROW EXECUTE FUNCTION mn_ledger_guard()",
    # Refuse every DELETE statement, even one that matches no row.
    "CREATE TRIGGER tg_ledger_no_delete BEFORE DELETE ON ledger_entries "
    "FOR EACH STATEMENT EXECUTE FUNCTION mn_ledger_guard()",
    "CREATE TRIGGER tg_settlement_lines_pending AFTER INSERT ON settlement_lines "
    "REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION mn_settlement_lines_pending()",
]

DOWN = [
    "DROP TRIGGER tg_settlement_lines_pending ON settlement_lines",
    "DROP TRIGGER tg_ledger_no_delete ON ledger_entries",
    "DROP TRIGGER tg_ledger_guard ON ledger_entries",
    "DROP TRIGGER tg_ledger_assign ON ledger_entries",
    "ALTER TABLE ledger_entries ALTER COLUMN settlement_id DROP NOT NULL",
    "UPDATE ledger_entries e SET settlement_id = NULL FROM settlements s WHERE s.id = e.settlement_id AND NOT s.frozen",
    "ALTER TABLE settlements DISABLE TRIGGER tg_settlement_guard",
    "DELETE FROM settlements WHERE NOT frozen",
    "ALTER TABLE settlements ENABLE TRIGGER tg_settlement_guard",
    "DROP FUNCTION mn_settlement_lines_pending()",
    "DROP FUNCTION mn_ledger_assign()",
    "DROP FUNCTION mn_pending_settlement(integer, date)",
    "DROP INDEX ix_settlements_pending",
    "DROP INDEX uq_ledger_reversed_once",
    "ALTER TABLE settlements ALTER COLUMN total_charges_cents TYPE integer, "
    "ALTER COLUMN total_credits_cents TYPE integer, ALTER COLUMN total_net_cents TYPE integer",
    "CREATE INDEX ix_ledger_unsettled ON ledger_entries (municipality_id, value_date) WHERE settlement_id IS NULL",
    # mn_ledger_guard() is replaced by the version of 0001 (CREATE OR REPLACE keeps the dependency order).
]


def upgrade() -> None:
    for statement in UP:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWN:
        op.execute(statement)
    from importlib import import_module

    initial = import_module("machinery_network.migrations.versions.0001_initial")
    guard = next(s for s in initial.INTEGRITY_UP if "CREATE FUNCTION mn_ledger_guard" in s)
    op.execute(guard.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
    op.execute("CREATE TRIGGER tg_ledger_guard BEFORE UPDATE OR DELETE ON ledger_entries "
               "FOR EACH ROW EXECUTE FUNCTION mn_ledger_guard()")
