"""session epoch: logging out ends every session cookie of the user

The HTML session lives in a signed, encrypted cookie (stateless app processes). A copy of that cookie
would stay valid until it expires; each user now carries a ``session_epoch`` that the cookie must
match, and logout increments it.

Revision ID: 0003_session_epoch
Revises: 0002_settlement_lines
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_session_epoch"
down_revision: str | None = "0002_settlement_lines"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    op.drop_column("users", "session_epoch")
