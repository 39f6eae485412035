"""notices across an agreement: a partner network's farmer's request reaches the owning yard heads

A farmer of network B who asks for (or cancels) a shared item of network A works in B's transaction,
which row-level security (``0018_network_rls``) shows none of A's users: the request statement found no
yard head to tell, and A's yard heads learnt of the request only from their inbox. The decisions travel
the other way without help (A's transaction sees the farmer of a booking of its item, and may write
his notice).

``mn_tell_owner_yard_heads`` (SECURITY DEFINER, owned by the migrating role, fixed ``search_path``)
writes those notices and mails itself, and nothing else:

- only for a booking of the transaction's network's farmer (``farmer_network_id`` is
  ``mn_current_network()``) on an item of another network that is ``shared``, with an active
  agreement between the two networks; and only in the status its event leaves behind (``requested``,
  ``cancelled``); otherwise it writes nothing and answers 0;
- to the active yard heads of the item's municipality: the notice (kind, key, parameters and text as
  given, the link to the booking) once per booking and kind (``dedupe_key``), and the mail to those
  who want booking mail (``users.notify``, as ``notices.mail_wanted``), its subject and body the given
  pieces joined by the recipient's name;
- both rows belong to the item's network (the recipient's): the partner network never holds, nor
  reads, the yard heads' names or addresses; the function answers only how many were told.

Revision ID: 0032_partner_notices
Revises: 0031_sort_indexes
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0032_partner_notices"
down_revision: str | None = "0031_sort_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "mn_app"
SIGNATURE = "mn_tell_owner_yard_heads(integer, text, text, jsonb, text, text[], text[], timestamptz)"

UPGRADE = [
    r"""
    CREATE FUNCTION mn_tell_owner_yard_heads(
        p_booking_id integer, p_kind text, p_key text, p_params jsonb, p_text text,
        p_subject text[], p_body text[], p_now timestamptz
    ) RETURNS integer LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    DECLARE
        caller integer := mn_current_network();
        target record;
        told integer;
    BEGIN
        IF caller IS NULL OR p_kind NOT IN ('booking_requested', 'booking_cancelled') THEN
            RETURN 0;
        END IF;
        SELECT b.id, b.network_id, i.municipality_id INTO target
          FROM bookings b JOIN items i ON i.id = b.item_id AND i.network_id = b.network_id
         WHERE b.id = p_booking_id
           AND b.farmer_network_id = caller AND b.network_id <> caller
           AND b.status = CASE p_kind WHEN 'booking_requested' THEN 'requested' ELSE 'cancelled' END
           AND i.shared
           AND EXISTS (SELECT 1 FROM network_agreements a
                        WHERE a.state = 'active'
                          AND least(a.network_id, a.other_network_id) = least(b.network_id, caller)
                          AND greatest(a.network_id, a.other_network_id) = greatest(b.network_id, caller));
        IF NOT FOUND THEN
            RETURN 0;
        END IF;
        WITH written AS (
            INSERT INTO notices (user_id, network_id, kind, key, params, text, link, dedupe_key, created_at)
            SELECT u.id, target.network_id, p_kind, p_key, p_params, left(p_text, 4000),
                   '/manage/bookings/' || target.id, p_kind || ':' || target.id, p_now
              FROM users u
             WHERE u.role = 'yard_head' AND u.municipality_id = target.municipality_id
               AND u.network_id = target.network_id AND u.active
            ON CONFLICT (user_id, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
            RETURNING user_id
        ), mailed AS (
            INSERT INTO outbox (recipient_id, recipient_email, subject, body, attempts, created_at, network_id)
            SELECT u.id, u.email, left(array_to_string(p_subject, u.name), 500), array_to_string(p_body, u.name),
                   0, p_now, target.network_id
              FROM written w JOIN users u ON u.id = w.user_id
             WHERE coalesce(u.notify ->> 'booking', 'mail') <> 'page' AND u.erased_at IS NULL
        )  -- run to completion although nothing reads it
        SELECT count(*) INTO told FROM written;
        RETURN told;
    END $$
    """,
    f"REVOKE ALL ON FUNCTION {SIGNATURE} FROM PUBLIC",
    f"GRANT EXECUTE ON FUNCTION {SIGNATURE} TO {APP_ROLE}",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    op.execute(f"DROP FUNCTION {SIGNATURE}")
