"""network row-level security: the database shows a transaction only its network's rows

Every tenant table gets a policy: a row is visible, and may be written, only when its ``network_id`` is
the transaction's network, ``mn_current_network()``:

- the setting ``mn.network_id`` (``SET LOCAL``, see ``db.use_network``): a network's id, or ``0`` for the
  operator (no network: he sees the operators' own user rows and nothing else);
- unset: on an installation with exactly one network, that network (so a single-network installation
  keeps working for code that never heard of networks); with several networks, none: nothing is
  visible and nothing can be written.

The application connects as the role ``mn_app`` (NOSUPERUSER NOBYPASSRLS, not the owner of any table),
which this migration creates once per server and grants the table privileges to (also for tables later
migrations create, through default privileges). Migrations and the test harness connect as the owner,
which row-level security does not restrict.

Across networks: items with ``shared`` are visible to the networks with an active agreement with the
item's network; a booking of such an item belongs to the item's network and also to the farmer's
(``bookings.farmer_network_id``), so both sides see it; the owning side sees the farmer's user row.

A few lookups must find a row before the network is known (the bearer token, the session cookie, the
login e-mail, a calendar token): SECURITY DEFINER functions owned by the migrating role answer just
the network of that row.

Revision ID: 0018_network_rls
Revises: 0017_list_indexes
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018_network_rls"
down_revision: str | None = "0017_list_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "mn_app"

# Tenant tables with the plain policy (their own network only). Special cases below.
PLAIN = ["municipalities", "sections", "blocks", "occupancies", "assignments", "care_logs",
         "ledger_entries", "settlements", "settlement_lines", "settlement_runs", "outbox", "cost_calculations"]
# Rows of the operator (no network) are his: users, and what hangs off a user.
OPERATORS_TOO = ["password_resets", "user_changes"]
SPECIAL = ["users", "items", "bookings", "booking_events", "network_agreements"]

CUR = "(SELECT mn_current_network())"  # a scalar subquery: evaluated once per statement (InitPlan)
PARTNERS = "(SELECT mn_partner_networks())::integer[]"

UP = [
    r"""
    CREATE OR REPLACE FUNCTION mn_current_network() RETURNS integer LANGUAGE sql STABLE AS $$
        SELECT coalesce(
            nullif(current_setting('mn.network_id', true), '')::integer,
            (SELECT CASE WHEN count(*) = 1 THEN min(id) END FROM (SELECT id FROM networks LIMIT 2) s))
    $$
    """,
    r"""
    CREATE OR REPLACE FUNCTION mn_default_network() RETURNS integer LANGUAGE sql STABLE AS $$
        SELECT nullif(mn_current_network(), 0)
    $$
    """,
    # The networks with an active agreement with the transaction's network.
    r"""
    CREATE FUNCTION mn_partner_networks() RETURNS integer[] LANGUAGE sql STABLE AS $$
        SELECT coalesce(array_agg(CASE WHEN a.network_id = n.id THEN a.other_network_id ELSE a.network_id END),
                        '{}')
          FROM (SELECT mn_current_network() AS id) n
          JOIN network_agreements a ON a.state = 'active' AND n.id IN (a.network_id, a.other_network_id)
    $$
    """,
    # Lookups before the network is known: the network of a user (0: the operator), by id or e-mail.
    r"""
    CREATE FUNCTION mn_network_of_user(p_id integer) RETURNS integer LANGUAGE sql STABLE
    SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        SELECT coalesce(network_id, 0) FROM users WHERE id = p_id
    $$
    """,
    r"""
    CREATE FUNCTION mn_network_of_email(p_email text) RETURNS integer LANGUAGE sql STABLE
    SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        SELECT coalesce(network_id, 0) FROM users WHERE email = p_email
    $$
    """,
    r"""
    CREATE FUNCTION mn_network_of_calendar(p_token text) RETURNS integer LANGUAGE sql STABLE
    SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        SELECT network_id FROM items WHERE calendar_token = p_token
        UNION ALL
        SELECT network_id FROM users WHERE calendar_token = p_token
        LIMIT 1
    $$
    """,
    r"""
    CREATE FUNCTION mn_network_of_reset(p_token_hash text) RETURNS integer LANGUAGE sql STABLE
    SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        SELECT coalesce(r.network_id, 0) FROM password_resets r WHERE r.token_hash = p_token_hash
    $$
    """,
    r"""
    CREATE FUNCTION mn_network_of_municipality(p_id integer) RETURNS integer LANGUAGE sql STABLE
    SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        SELECT network_id FROM municipalities WHERE id = p_id
    $$
    """,
    # The actor of a bearer token (the busiest lookup: one statement, before any network is set).
    r"""
    CREATE FUNCTION mn_token_actor(p_digest text)
    RETURNS TABLE (id integer, role varchar, municipality_id integer, name varchar, email varchar,
                   network_id integer, expires_at timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        SELECT u.id, u.role, u.municipality_id, u.name, u.email, u.network_id, t.expires_at
          FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.token_hash = p_digest AND t.expires_at > now() AND u.active
    $$
    """,
    # A booking also belongs to the farmer's network (they differ for a shared item of a partner network).
    "ALTER TABLE bookings ADD COLUMN farmer_network_id integer",
    "UPDATE bookings b SET farmer_network_id = u.network_id FROM users u WHERE u.id = b.farmer_id",
    r"""
    CREATE FUNCTION mn_booking_farmer_network() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.farmer_network_id IS NULL THEN
            NEW.farmer_network_id := coalesce(
                (SELECT network_id FROM users WHERE id = NEW.farmer_id), NEW.network_id);
        END IF;
        RETURN NEW;
    END $$
    """,
    "CREATE TRIGGER b_mn_farmer_network BEFORE INSERT ON bookings FOR EACH ROW "
    "EXECUTE FUNCTION mn_booking_farmer_network()",
    "CREATE INDEX ix_bookings_farmer_network ON bookings (farmer_network_id) WHERE farmer_network_id <> network_id",
    # Mail belongs to the network that writes it (a notice to a partner network's farmer is the writing
    # network's business), else to the recipient's network.
    r"""
    CREATE FUNCTION mn_outbox_network() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.network_id IS NULL THEN
            NEW.network_id := coalesce(nullif(nullif(current_setting('mn.network_id', true), ''), '0')::integer,
                                       (SELECT network_id FROM users WHERE id = NEW.recipient_id),
                                       mn_default_network());
        END IF;
        RETURN NEW;
    END $$
    """,
    "DROP TRIGGER a_mn_network ON outbox",
    "CREATE TRIGGER a_mn_network BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION mn_outbox_network()",
    # A farmer who registered himself (open registration) waits for the network's admin.
    "ALTER TABLE users ADD COLUMN registration_pending boolean NOT NULL DEFAULT false",
    "CREATE INDEX ix_users_registration_pending ON users (network_id) WHERE registration_pending",
]


def _policies() -> list[str]:
    out = []
    for table in PLAIN:
        out.append(f"CREATE POLICY mn_network ON {table} USING (network_id = {CUR}) WITH CHECK (network_id = {CUR})")
    for table in OPERATORS_TOO:
        own = f"(network_id = {CUR} OR (network_id IS NULL AND {CUR} = 0))"
        out.append(f"CREATE POLICY mn_network ON {table} USING {own} WITH CHECK {own}")
    # Users: the network's own; the operator context (0) sees the operators; the owning network of a
    # booking sees the farmer who made it.
    out.append(
        f"CREATE POLICY mn_network ON users USING (network_id = {CUR} OR (network_id IS NULL AND {CUR} = 0)) "
        f"WITH CHECK (network_id = {CUR} OR (network_id IS NULL AND {CUR} = 0))"
    )
    out.append(
        "CREATE POLICY mn_booking_farmer ON users FOR SELECT USING (role = 'farmer' AND network_id <> "
        f"{CUR} AND id IN (SELECT farmer_id FROM bookings WHERE network_id = {CUR} "
        f"AND farmer_network_id <> network_id))"
    )
    out.append(f"CREATE POLICY mn_network ON items USING (network_id = {CUR}) WITH CHECK (network_id = {CUR})")
    out.append(f"CREATE POLICY mn_shared ON items FOR SELECT USING (shared AND network_id = ANY ({PARTNERS}))")
    out.append(
        f"CREATE POLICY mn_network ON bookings USING (network_id = {CUR} OR farmer_network_id = {CUR}) "
        f"WITH CHECK (network_id = {CUR} OR (farmer_network_id = {CUR} AND network_id = ANY ({PARTNERS})))"
    )
    out.append(
        f"CREATE POLICY mn_network ON booking_events USING (network_id = {CUR}) "
        f"WITH CHECK (network_id = {CUR} OR network_id = ANY ({PARTNERS}))"  # a partner's farmer's request
    )
    # Agreements: both networks see theirs (the operator all of them, for his overview).
    both = f"({CUR} IN (network_id, other_network_id) OR {CUR} = 0)"
    out.append(f"CREATE POLICY mn_network ON network_agreements USING {both} WITH CHECK {both}")
    return out


def upgrade() -> None:
    op.execute(f"""
    DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
            CREATE ROLE {APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
        END IF;
    END $$
    """)
    # The connecting (owner) role may switch to it; a superuser can anyway.
    op.execute(f"""
    DO $$ BEGIN
        IF NOT pg_has_role(current_user, '{APP_ROLE}', 'MEMBER') THEN
            EXECUTE format('GRANT {APP_ROLE} TO %I', current_user);
        END IF;
    END $$
    """)
    for statement in UP:
        op.execute(statement)
    op.execute(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}")
    op.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}")
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP_ROLE}")
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {APP_ROLE}")
    for table in PLAIN + SPECIAL + OPERATORS_TOO:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    for statement in _policies():
        op.execute(statement)


def downgrade() -> None:
    for table in PLAIN + SPECIAL + OPERATORS_TOO:
        op.execute(f"DROP POLICY IF EXISTS mn_network ON {table}")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.execute("DROP POLICY IF EXISTS mn_booking_farmer ON users")
    op.execute("DROP POLICY IF EXISTS mn_shared ON items")
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM {APP_ROLE}")
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM {APP_ROLE}")
    op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {APP_ROLE}")
    op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {APP_ROLE}")
    op.execute(f"REVOKE USAGE ON SCHEMA public FROM {APP_ROLE}")
    op.execute("ALTER TABLE users DROP COLUMN registration_pending")
    op.execute("DROP TRIGGER a_mn_network ON outbox")
    op.execute("CREATE TRIGGER a_mn_network BEFORE INSERT ON outbox FOR EACH ROW "
               "EXECUTE FUNCTION mn_fill_network('users', 'recipient_id')")
    op.execute("DROP FUNCTION mn_outbox_network()")
    op.execute("DROP TRIGGER b_mn_farmer_network ON bookings")
    op.execute("DROP FUNCTION mn_booking_farmer_network()")
    op.execute("ALTER TABLE bookings DROP COLUMN farmer_network_id")
    for fn in ("mn_token_actor(text)", "mn_network_of_reset(text)", "mn_network_of_municipality(integer)", "mn_network_of_calendar(text)",
               "mn_network_of_email(text)", "mn_network_of_user(integer)", "mn_partner_networks()"):
        op.execute(f"DROP FUNCTION {fn}")
    # 0007_networks' versions of the network functions
    op.execute(r"""
    CREATE OR REPLACE FUNCTION mn_default_network() RETURNS integer LANGUAGE plpgsql STABLE AS $$
    DECLARE
        n integer := mn_current_network();
    BEGIN
        IF n IS NULL THEN
            SELECT CASE WHEN count(*) = 1 THEN min(id) END INTO n FROM (SELECT id FROM networks LIMIT 2) s;
        END IF;
        RETURN n;
    END $$
    """)
    op.execute(r"""
    CREATE OR REPLACE FUNCTION mn_current_network() RETURNS integer LANGUAGE sql STABLE PARALLEL SAFE AS $$
        SELECT nullif(current_setting('mn.network_id', true), '')::integer
    $$
    """)
    # The role stays: other databases on the server may use it.
