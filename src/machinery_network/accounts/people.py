"""People and their accounts, named in one place for the web and API layers: the caller's profile
(``profile``), the record of what changed (``changes``), new passwords and resets
(``password_changes``), his tokens and the end of access (``access``), the administrator's edits
(``users``) and erasure (DSGVO Art. 17, ``erasure``).
"""

from __future__ import annotations

from machinery_network.accounts.access import end_access, list_tokens, revoke_own_token, revoke_token
from machinery_network.accounts.changes import record
from machinery_network.accounts.erasure import erase_farmer, open_balances, pseudonym
from machinery_network.accounts.password_changes import (
    MAX_RESETS_PER_HOUR,
    RESET_LIFETIME,
    UNUSABLE_PASSWORD,
    change_password,
    confirm_reset,
    force_reset,
    request_reset,
    reset_user,
    set_password,
)
from machinery_network.accounts.profile import (
    NOTIFICATION_CHOICES,
    NOTIFICATION_KINDS,
    me,
    sees_iban,
    update_profile,
    wants_mail,
)
from machinery_network.accounts.users import update_user

__all__ = [
    "MAX_RESETS_PER_HOUR",
    "NOTIFICATION_CHOICES",
    "NOTIFICATION_KINDS",
    "RESET_LIFETIME",
    "UNUSABLE_PASSWORD",
    "change_password",
    "confirm_reset",
    "end_access",
    "erase_farmer",
    "force_reset",
    "list_tokens",
    "me",
    "open_balances",
    "pseudonym",
    "record",
    "request_reset",
    "reset_user",
    "revoke_own_token",
    "revoke_token",
    "sees_iban",
    "set_password",
    "update_profile",
    "update_user",
    "wants_mail",
]
