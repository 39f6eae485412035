"""Tables of the accounts domain."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, Column, ForeignKey, Integer, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from machinery_network._sa import created_at, fk, network_col, ts


class Role(StrEnum):
    operator = "operator"  # the installation's: networks and their first administrators, no network
    admin = "admin"
    yard_head = "yard_head"
    finance = "finance"
    farmer = "farmer"


class VatStatus(StrEnum):
    """A farm's VAT treatment: §24 UStG flat rate, standard, §19 UStG small business."""

    flat_rate = "flat_rate"
    standard = "standard"
    small_business = "small_business"


class Municipality(SQLModel, table=True):
    __tablename__ = "municipalities"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)  # unique within its network
    network_id: int | None = network_col()
    address: str | None = Field(default=None, max_length=2000)
    iban: str | None = Field(default=None, max_length=34)
    bic: str | None = Field(default=None, max_length=11)
    creditor_id: str | None = Field(default=None, max_length=35)
    # DATEV (see accounts/datev_settings.py): numbers, chart, fiscal year, account length, debtor range,
    # revenue accounts per VAT rate and the expense account for care credits (NULL: the chart's default).
    datev_consultant_number: int = Field(default=1001)
    datev_client_number: int = Field(default=1)
    datev_chart: str = Field(default="SKR03", max_length=5, sa_column_kwargs={"server_default": "SKR03"})
    fiscal_year_start_month: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    datev_account_length: int = Field(default=4, sa_column_kwargs={"server_default": "4"})
    datev_debtor_start: int | None = Field(default=None)
    datev_debtor_end: int | None = Field(default=None)
    datev_revenue_account: int | None = Field(default=None)
    datev_revenue_account_reduced: int | None = Field(default=None)
    datev_revenue_account_exempt: int | None = Field(default=None)
    datev_expense_account: int | None = Field(default=None)
    # Revenue account and BU key per other VAT rate: {"10.7": {"account": 8410, "tax_key": 59}} (see
    # datev_settings.vat_accounts); the automatic accounts above serve 19 / 7 / 0 % when a rate is not here.
    datev_vat_accounts: dict[str, Any] = Field(
        default_factory=dict,
        sa_column=Column(JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    )
    # SEPA pre-notification period (calendar days) agreed with the farmers.
    prenotification_days: int = Field(default=14, sa_column_kwargs={"server_default": "14"})
    created_at: datetime = created_at()


class DatevDebtor(SQLModel, table=True):
    """A farmer's stable DATEV debtor number within one municipality (see exports/datev.py)."""

    __tablename__ = "datev_debtors"
    __table_args__ = (UniqueConstraint("municipality_id", "number", name="uq_datev_debtors_number"),)

    municipality_id: int = Field(sa_column=Column(
        Integer, ForeignKey("municipalities.id", ondelete="CASCADE"), primary_key=True))
    farmer_id: int = Field(sa_column=Column(
        Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True))
    number: int


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(max_length=200)
    password_hash: str
    role: str = Field(max_length=20)
    municipality_id: int | None = fk("municipalities.id", nullable=True)
    network_id: int | None = network_col(nullable=True)  # NULL only for the operator
    iban: str | None = Field(default=None, max_length=34)
    bic: str | None = Field(default=None, max_length=11)
    address: str | None = Field(default=None, max_length=2000)
    calendar_token: str | None = Field(default=None, max_length=64, unique=True)
    active: bool = Field(default=True)
    # Registered himself (open registration): inactive until the network's admin approves him.
    registration_pending: bool = Field(default=False, sa_column_kwargs={"server_default": "false"})
    # Session cookies carry this number; logout increments it, so copies of old cookies stop working.
    session_epoch: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    phone: str | None = Field(default=None, max_length=50)
    street: str | None = Field(default=None, max_length=200)
    postcode: str | None = Field(default=None, max_length=10)
    town: str | None = Field(default=None, max_length=200)
    vat_status: str | None = Field(default=None, max_length=20)
    # Notification choice per kind: "mail" (default) or "page" (only the in-app notice).
    notify: dict[str, Any] = Field(
        default_factory=dict,
        sa_column=Column(JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    )
    # Set when an administrator chose the password: the user must change it at the first login.
    password_change_required: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=text("false"))
    )
    erased_at: datetime | None = ts(nullable=True)
    created_at: datetime = created_at()


class ApiToken(SQLModel, table=True):
    """Bearer tokens; only the SHA-256 of the token is stored."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = fk("users.id", ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    label: str | None = Field(default=None, max_length=200)
    created_at: datetime = created_at()
    expires_at: datetime = ts()


class LoginAttempt(SQLModel, table=True):
    """Failed logins, for throttling per account and per address."""

    __tablename__ = "login_attempts"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    address: str = Field(max_length=64, index=True)
    attempted_at: datetime = created_at()


class PasswordReset(SQLModel, table=True):
    """A password-reset link: single use, valid for an hour; only a keyed digest of the token is stored."""

    __tablename__ = "password_resets"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = fk("users.id", ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = created_at()
    expires_at: datetime = ts()
    used_at: datetime | None = ts(nullable=True)


class UserChange(SQLModel, table=True):
    """The record of changes to an account: who changed what (IBAN, role, active, erasure, password)."""

    __tablename__ = "user_changes"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = fk("users.id")
    actor_id: int | None = fk("users.id", nullable=True, index=False)
    kind: str = Field(max_length=40)
    details: dict[str, Any] = Field(
        default_factory=dict,
        sa_column=Column(JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    )
    created_at: datetime = created_at()
