"""The password rules, one function for every place a password is chosen (API, forms, CLI, reset).

At least ``MIN_LENGTH`` characters that are not all blanks, not the account's e-mail address (nor its
part before the @), and not in the shipped list of common passwords (``common_passwords.txt``).
"""

from __future__ import annotations

import functools
from importlib import resources

from machinery_network.errors import Invalid

MIN_LENGTH = 10
MAX_LENGTH = 1024  # argon2 hashes anything, but nobody types more; bounds the hashing work


@functools.cache
def common_passwords() -> frozenset[str]:
    text = resources.files("machinery_network.accounts").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().casefold() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def check_password(password: str, email: str | None = None, field: str = "password") -> str:
    """The password if it follows the rules, else ``Invalid`` (422) naming ``field``."""
    if len(password) < MIN_LENGTH:
        raise Invalid("password.too_short", field=field, min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        raise Invalid("password.too_long", field=field, max=MAX_LENGTH)
    if not password.strip():
        raise Invalid("password.blank", field=field)
    folded = password.strip().casefold()
    if email:
        address = email.strip().casefold()
        if folded in (address, address.split("@", 1)[0]):
            raise Invalid("password.is_email", field=field)
    if folded in common_passwords():
        raise Invalid("password.common", field=field)
    return password
