"""The use cases of the accounts domain, named in one place so that controllers, the CLI and the other
domains import one module for municipalities, users, login and tokens. Each lives beside this module,
one concern each:

- ``municipalities``: creating, finding, listing and changing municipalities (bank and DATEV fields);
- ``users``: the administrator's users (create, find, list, edit);
- ``login``: e-mail and password, and the throttling of guesses;
- ``access``: bearer tokens and their cache, session cookies, ending access.

The caller's own account (profile, passwords, tokens, erasure) is named in ``people``.
"""

from __future__ import annotations

from machinery_network.accounts.access import (
    TOKEN_LIFETIME,
    TokenCache,
    actor_from_session,
    actor_from_token,
    actor_from_token_on,
    actor_of,
    end_sessions,
    issue_token,
    token_cache,
)
from machinery_network.accounts.login import (
    ACCOUNT_SLOW_AFTER,
    MAX_FAILURES_PER_ADDRESS,
    MAX_FAILURES_PER_PAIR,
    MAX_LOGIN_DELAY,
    THROTTLE_WINDOW,
    authenticate,
    login_delay_seconds,
)
from machinery_network.accounts.municipalities import (
    CLEARABLE_FIELDS,
    FINANCE_FIELDS,
    MUNICIPALITY_ORDER,
    create_municipality,
    get_municipality,
    list_municipalities,
    page_municipalities,
    update_municipality,
)
from machinery_network.accounts.users import (
    USER_KEYS,
    USER_ORDER,
    USER_SORTS,
    create_user,
    get_farmer,
    get_user,
    list_farmers,
    list_users,
    page_users,
)

__all__ = [
    "ACCOUNT_SLOW_AFTER",
    "CLEARABLE_FIELDS",
    "FINANCE_FIELDS",
    "MAX_FAILURES_PER_ADDRESS",
    "MAX_FAILURES_PER_PAIR",
    "MAX_LOGIN_DELAY",
    "MUNICIPALITY_ORDER",
    "THROTTLE_WINDOW",
    "TOKEN_LIFETIME",
    "USER_KEYS",
    "USER_ORDER",
    "USER_SORTS",
    "TokenCache",
    "actor_from_session",
    "actor_from_token",
    "actor_from_token_on",
    "actor_of",
    "authenticate",
    "create_municipality",
    "create_user",
    "end_sessions",
    "get_farmer",
    "get_municipality",
    "get_user",
    "issue_token",
    "list_farmers",
    "list_municipalities",
    "list_users",
    "login_delay_seconds",
    "page_municipalities",
    "page_users",
    "token_cache",
    "update_municipality",
]
