"""networks: one installation serves several networks, each a tenant of the database

A network (three to five neighbouring municipalities) owns its municipalities, users, items, sections,
bookings, care logs, ledger entries, settlements and every row hanging off them. Here:

- ``networks`` and ``network_agreements`` (two networks lending to each other's farmers);
- ``network_id`` on every tenant table, filled for existing rows with the one network this migration
  creates for them (named after the first municipality's region, else "Netzwerk"); fast defaults, so
  no table is rewritten;
- new rows take ``network_id`` from their parent row (a booking from its item, an item from its
  municipality, …) in a BEFORE INSERT trigger, else from the transaction's ``mn.network_id``, else, on
  an installation with exactly one network, that network: code that does not know about networks keeps
  working;
- composite foreign keys ``(network_id, parent_id) → parent (network_id, id)`` wherever a row could
  otherwise point into another network (a booking of network A can never reference an item of B);
- ``network_id`` never changes once written;
- the role ``operator`` (the installation's, bound to no network); every other user belongs to one;
- ``items.shared``: an item its yard head offers to networks with an active agreement.

``TENANT_TABLES`` and ``mn_tenant_table()`` are the way for later migrations to add a tenant table.

Revision ID: 0007_networks
Revises: 0006_cost_calculations
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007_networks"
down_revision: str | None = "0006_cost_calculations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table: (parent table, column naming the parent row) the network is taken from; None: the setting.
TENANT_TABLES: dict[str, tuple[str, str] | None] = {
    "municipalities": None,
    "users": ("municipalities", "municipality_id"),
    "items": ("municipalities", "municipality_id"),
    "sections": ("municipalities", "municipality_id"),
    "blocks": ("items", "item_id"),
    "bookings": ("items", "item_id"),
    "booking_events": ("bookings", "booking_id"),
    "occupancies": ("items", "item_id"),
    "assignments": ("sections", "section_id"),
    "care_logs": ("sections", "section_id"),
    "ledger_entries": ("municipalities", "municipality_id"),
    "settlements": ("municipalities", "municipality_id"),
    "settlement_lines": ("settlements", "settlement_id"),
    "settlement_runs": ("municipalities", "municipality_id"),
    "outbox": ("users", "recipient_id"),
    "password_resets": ("users", "user_id"),
    "user_changes": ("users", "user_id"),
    "cost_calculations": ("items", "item_id"),
}
# network_id may stay NULL: the operator (a user of no network) and mail to him.
NULLABLE = {"users", "outbox", "password_resets", "user_changes"}

# Parents that composite foreign keys point at: UNIQUE (network_id, id).
PARENTS = ["municipalities", "users", "items", "sections", "blocks", "bookings", "care_logs", "settlements",
           "ledger_entries"]

# (table, column, parent table, ON DELETE, old single-column constraint replaced)
COMPOSITE_FKS: list[tuple[str, str, str, str | None]] = [
    ("users", "municipality_id", "municipalities", None),
    ("items", "municipality_id", "municipalities", None),
    ("sections", "municipality_id", "municipalities", None),
    ("settlements", "municipality_id", "municipalities", None),
    ("ledger_entries", "municipality_id", "municipalities", None),
    ("settlement_runs", "municipality_id", "municipalities", None),
    ("bookings", "item_id", "items", None),
    ("blocks", "item_id", "items", None),
    ("occupancies", "item_id", "items", None),
    ("occupancies", "booking_id", "bookings", "CASCADE"),
    ("occupancies", "block_id", "blocks", "CASCADE"),
    ("booking_events", "booking_id", "bookings", None),
    ("ledger_entries", "booking_id", "bookings", None),
    ("ledger_entries", "care_log_id", "care_logs", None),
    ("ledger_entries", "settlement_id", "settlements", None),
    ("ledger_entries", "reverses_entry_id", "ledger_entries", None),
    ("assignments", "section_id", "sections", None),
    ("assignments", "farmer_id", "users", None),
    ("care_logs", "section_id", "sections", None),
    ("care_logs", "farmer_id", "users", None),
    ("settlement_runs", "settlement_id", "settlements", None),
]

FUNCTIONS = [
    # The network of the transaction (SET LOCAL mn.network_id), or NULL.
    r"""
    CREATE FUNCTION mn_current_network() RETURNS integer LANGUAGE sql STABLE PARALLEL SAFE AS $$
        SELECT nullif(current_setting('mn.network_id', true), '')::integer
    $$
    """,
    # The transaction's network, else the only network of the installation, else NULL.
    r"""
    CREATE FUNCTION mn_default_network() RETURNS integer LANGUAGE plpgsql STABLE AS $$
    DECLARE
        n integer := mn_current_network();
    BEGIN
        IF n IS NULL THEN
            SELECT CASE WHEN count(*) = 1 THEN min(id) END INTO n FROM (SELECT id FROM networks LIMIT 2) s;
        END IF;
        RETURN n;
    END $$
    """,
    # BEFORE INSERT: network_id from the parent row (TG_ARGV: parent table, column), else the default.
    r"""
    CREATE FUNCTION mn_fill_network() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        parent_id bigint;
        row_json jsonb;
    BEGIN
        IF NEW.network_id IS NOT NULL THEN
            RETURN NEW;
        END IF;
        row_json := to_jsonb(NEW);
        IF TG_NARGS = 2 THEN
            parent_id := (row_json ->> TG_ARGV[1])::bigint;
            IF parent_id IS NOT NULL THEN
                EXECUTE format('SELECT network_id FROM %I WHERE id = $1', TG_ARGV[0])
                    INTO NEW.network_id USING parent_id;
            END IF;
        END IF;
        IF NEW.network_id IS NULL AND (row_json ->> 'role') IS DISTINCT FROM 'operator' THEN
            NEW.network_id := mn_default_network();
        END IF;
        RETURN NEW;
    END $$
    """,
    r"""
    CREATE FUNCTION mn_network_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the network of a % row never changes', TG_TABLE_NAME USING ERRCODE = '55000';
    END $$
    """,
    # For later migrations: make ``tbl`` a tenant table (column, backfill from the parent or the only
    # network, trigger). Row-level security is added by the migration that introduces it.
    r"""
    CREATE FUNCTION mn_tenant_table(tbl text, parent text DEFAULT NULL, parent_column text DEFAULT NULL,
                                    nullable boolean DEFAULT false) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
        only_network integer := mn_default_network();
    BEGIN
        EXECUTE format('ALTER TABLE %I ADD COLUMN IF NOT EXISTS network_id integer REFERENCES networks (id)', tbl);
        IF parent IS NOT NULL THEN
            EXECUTE format('UPDATE %I t SET network_id = p.network_id FROM %I p WHERE p.id = t.%I '
                           'AND t.network_id IS NULL', tbl, parent, parent_column);
        END IF;
        EXECUTE format('UPDATE %I SET network_id = $1 WHERE network_id IS NULL', tbl) USING only_network;
        IF NOT nullable THEN
            EXECUTE format('ALTER TABLE %I ALTER COLUMN network_id SET NOT NULL', tbl);
        END IF;
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I (network_id)', 'ix_' || tbl || '_network_id', tbl);
        EXECUTE format('DROP TRIGGER IF EXISTS a_mn_network ON %I', tbl);
        IF parent IS NOT NULL THEN
            EXECUTE format('CREATE TRIGGER a_mn_network BEFORE INSERT ON %I FOR EACH ROW '
                           'EXECUTE FUNCTION mn_fill_network(%L, %L)', tbl, parent, parent_column);
        ELSE
            EXECUTE format('CREATE TRIGGER a_mn_network BEFORE INSERT ON %I FOR EACH ROW '
                           'EXECUTE FUNCTION mn_fill_network()', tbl);
        END IF;
        EXECUTE format('DROP TRIGGER IF EXISTS a_mn_network_immutable ON %I', tbl);
        EXECUTE format('CREATE TRIGGER a_mn_network_immutable BEFORE UPDATE OF network_id ON %I FOR EACH ROW '
                       'WHEN (OLD.network_id IS DISTINCT FROM NEW.network_id) '
                       'EXECUTE FUNCTION mn_network_immutable()', tbl);
    END $$
    """,
]


def _has_column(table: str, column: str) -> bool:
    bind = op.get_bind()
    return bool(bind.exec_driver_sql(
        "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
        f"AND table_name = '{table}' AND column_name = '{column}'"
    ).scalar())


def _network_name() -> str:
    """The region of the first municipality, when municipalities have one, else "Netzwerk"."""
    if _has_column("municipalities", "region"):
        region = op.get_bind().exec_driver_sql(
            "SELECT region FROM municipalities WHERE coalesce(trim(region), '') <> '' ORDER BY id LIMIT 1"
        ).scalar()
        if region:
            return str(region).strip()[:200]
    return "Netzwerk"


def upgrade() -> None:
    op.execute(
        "CREATE TABLE networks ("
        " id serial PRIMARY KEY,"
        " name varchar(200) NOT NULL CONSTRAINT uq_networks_name UNIQUE,"
        " created_at timestamptz NOT NULL DEFAULT now())"
    )
    op.execute(
        "CREATE TABLE network_agreements ("
        " id serial PRIMARY KEY,"
        " network_id integer NOT NULL REFERENCES networks (id),"
        " other_network_id integer NOT NULL REFERENCES networks (id),"
        " state varchar(20) NOT NULL DEFAULT 'proposed'"
        "   CONSTRAINT ck_agreements_state CHECK (state IN ('proposed','active','revoked')),"
        " proposed_by integer,"
        " confirmed_by integer,"
        " revoked_by integer,"
        " created_at timestamptz NOT NULL DEFAULT now(),"
        " confirmed_at timestamptz,"
        " revoked_at timestamptz,"
        " CONSTRAINT ck_agreements_two_networks CHECK (network_id <> other_network_id))"
    )
    # One live (proposed or active) agreement per pair of networks, whoever proposed it.
    op.execute(
        "CREATE UNIQUE INDEX uq_agreements_live_pair ON network_agreements "
        "(least(network_id, other_network_id), greatest(network_id, other_network_id)) WHERE state <> 'revoked'"
    )
    op.execute("CREATE INDEX ix_agreements_other ON network_agreements (other_network_id)")
    name = _network_name().replace("'", "''")
    first = op.get_bind().exec_driver_sql(f"INSERT INTO networks (name) VALUES ('{name}') RETURNING id").scalar_one()

    for statement in FUNCTIONS:
        op.execute(statement)

    for table, parent in TENANT_TABLES.items():
        # A fast default: existing rows read it without a table rewrite; new rows get theirs by trigger.
        op.execute(f"ALTER TABLE {table} ADD COLUMN network_id integer DEFAULT {int(first)} REFERENCES networks (id)")
        op.execute(f"ALTER TABLE {table} ALTER COLUMN network_id DROP DEFAULT")
        if table not in NULLABLE:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN network_id SET NOT NULL")
        args = f"'{parent[0]}', '{parent[1]}'" if parent else ""
        op.execute(f"CREATE TRIGGER a_mn_network BEFORE INSERT ON {table} FOR EACH ROW "
                   f"EXECUTE FUNCTION mn_fill_network({args})")
        op.execute(f"CREATE TRIGGER a_mn_network_immutable BEFORE UPDATE OF network_id ON {table} FOR EACH ROW "
                   "WHEN (OLD.network_id IS DISTINCT FROM NEW.network_id) EXECUTE FUNCTION mn_network_immutable()")

    op.execute("ALTER TABLE users DROP CONSTRAINT ck_users_role")
    op.execute("ALTER TABLE users ADD CONSTRAINT ck_users_role CHECK "
               "(role IN ('operator','admin','yard_head','finance','farmer'))")
    op.execute("ALTER TABLE users ADD CONSTRAINT ck_users_network CHECK "
               "((role = 'operator') = (network_id IS NULL) AND (role <> 'operator' OR municipality_id IS NULL))")
    op.execute("CREATE INDEX ix_users_network_role ON users (network_id, role, name)")
    op.execute("CREATE INDEX ix_outbox_network_id ON outbox (network_id)")

    # Municipality names are unique within a network (two states may both have a "Neustadt").
    op.execute("ALTER TABLE municipalities DROP CONSTRAINT municipalities_name_key")
    op.execute("ALTER TABLE municipalities ADD CONSTRAINT uq_municipalities_network_name UNIQUE (network_id, name)")

    for table in PARENTS:
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT uq_{table}_network_id UNIQUE (network_id, id)")
    for table, column, referenced, ondelete in COMPOSITE_FKS:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {table}_{column}_fkey")
        cascade = f" ON DELETE {ondelete}" if ondelete else ""
        op.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT fk_{table}_{column}_network "
            f"FOREIGN KEY (network_id, {column}) REFERENCES {referenced} (network_id, id){cascade} NOT VALID"
        )
        op.execute(f"ALTER TABLE {table} VALIDATE CONSTRAINT fk_{table}_{column}_network")
    # Tables whose network comes from the network's own root rows get an index for the per-network scans.
    for table in ("municipalities", "sections", "settlement_runs", "settlement_lines", "booking_events",
                  "blocks", "assignments", "occupancies", "care_logs"):
        op.execute(f"CREATE INDEX ix_{table}_network_id ON {table} (network_id)")

    op.execute("ALTER TABLE items ADD COLUMN shared boolean NOT NULL DEFAULT false")


def downgrade() -> None:
    op.execute("ALTER TABLE items DROP COLUMN shared")
    for table, column, parent, ondelete in reversed(COMPOSITE_FKS):
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT fk_{table}_{column}_network")
        cascade = f" ON DELETE {ondelete}" if ondelete else ""
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_{column}_fkey FOREIGN KEY ({column}) "
                   f"REFERENCES {parent} (id){cascade}")
    for table in PARENTS:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT uq_{table}_network_id")
    op.execute("ALTER TABLE municipalities DROP CONSTRAINT uq_municipalities_network_name")
    op.execute("ALTER TABLE municipalities ADD CONSTRAINT municipalities_name_key UNIQUE (name)")
    op.execute("DELETE FROM users WHERE role = 'operator'")
    op.execute("ALTER TABLE users DROP CONSTRAINT ck_users_network")
    op.execute("ALTER TABLE users DROP CONSTRAINT ck_users_role")
    op.execute("ALTER TABLE users ADD CONSTRAINT ck_users_role CHECK (role IN ('admin','yard_head','finance','farmer'))")
    for table in TENANT_TABLES:
        op.execute(f"DROP TRIGGER a_mn_network_immutable ON {table}")
        op.execute(f"DROP TRIGGER a_mn_network ON {table}")
        op.execute(f"ALTER TABLE {table} DROP COLUMN network_id")  # drops its indexes too
    op.execute("DROP FUNCTION mn_tenant_table(text, text, text, boolean)")
    op.execute("DROP FUNCTION mn_network_immutable()")
    op.execute("DROP FUNCTION mn_fill_network()")
    op.execute("DROP FUNCTION mn_default_network()")
    op.execute("DROP FUNCTION mn_current_network()")
    op.execute("DROP TABLE network_agreements")
    op.execute("DROP TABLE networks")
