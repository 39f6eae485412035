"""mn_current_network() in PL/pgSQL: the same answer, planned once per session instead of per statement

Every row-level-security policy asks ``(SELECT mn_current_network())`` (``0018_network_rls``), about ten
times in a booking request. As ``LANGUAGE sql`` with a sub-SELECT the function cannot be inlined, and a
non-inlined SQL function is planned again at every execution of the statement around it; PL/pgSQL keeps
its plans for the session. Measured by hand (docs/operations.md, "Booking throughput"): a booking
request's backend CPU 0.82 → 0.50–0.55 ms.

The answer is the same in every case: the setting ``mn.network_id`` as an integer when it is set and not
empty (``0``: the operator; text that is no integer raises, as the cast did), else the installation's
only network, else NULL. Volatility (STABLE), parallel safety (the default, unsafe), owner and grants stay
as they are (``CREATE OR REPLACE``). The downgrade restores ``0018_network_rls``' definition.

Revision ID: 0033_current_network_plpgsql
Revises: 0032_partner_notices
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0033_current_network_plpgsql"
down_revision: str | None = "0032_partner_notices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = r"""
CREATE OR REPLACE FUNCTION mn_current_network() RETURNS integer LANGUAGE plpgsql STABLE AS $$
DECLARE
    configured text := current_setting('mn.network_id', true);
BEGIN
    IF configured IS NOT NULL AND configured <> '' THEN
        RETURN configured::integer;
    END IF;
    RETURN (SELECT CASE WHEN count(*) = 1 THEN min(id) END FROM (SELECT id FROM networks LIMIT 2) s);
END $$
"""

# 0018_network_rls' version.
DOWNGRADE = r"""
CREATE OR REPLACE FUNCTION mn_current_network() RETURNS integer LANGUAGE sql STABLE AS $$
    SELECT coalesce(
        nullif(current_setting('mn.network_id', true), '')::integer,
        (SELECT CASE WHEN count(*) = 1 THEN min(id) END FROM (SELECT id FROM networks LIMIT 2) s))
$$
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
