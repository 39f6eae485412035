"""A municipality's DATEV settings: numbers, chart of accounts, fiscal year, debtor range, accounts.

The ranges are those DATEV accepts: consultant (Berater) 1001–9999999, client (Mandant) 1–99999,
general-ledger account length (Sachkontenlänge) 4–8; debtor accounts have one digit more and lie in
10^L … 7·10^L − 1 (at length 4: 10000–69999; 70000–99999 are creditors). Revenue and expense accounts
left empty follow the chart: SKR03 8400 / 8300 / 8200 revenue (19 % / 7 % / 0 %) and 4900 expense,
SKR04 4400 / 4300 / 4200 and 6300 (scaled to the account length).

Any VAT rate of the network (``MN_VAT_RATES``) may have its own revenue account and BU key (tax key,
``BU-Schlüssel``, 1–9999) in ``datev_vat_accounts``; that entry wins over the automatic account of 19,
7 or 0 %. Another rate (10.7 % say) without an entry cannot be exported (422 naming the rate): which
account and key fit is the tax advisor's word, not a default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from machinery_network.accounts.models import Municipality
from machinery_network.errors import Invalid


class Chart(StrEnum):
    SKR03 = "SKR03"
    SKR04 = "SKR04"


CONSULTANT_RANGE = (1001, 9_999_999)
CLIENT_RANGE = (1, 99_999)
ACCOUNT_LENGTH_RANGE = (4, 8)
FISCAL_MONTH_RANGE = (1, 12)
PRENOTIFICATION_RANGE = (1, 30)
TAX_KEY_RANGE = (1, 9999)

# revenue 19 %, revenue 7 %, revenue 0 %, expense (care credits) at account length 4
CHART_DEFAULTS: dict[str, tuple[int, int, int, int]] = {
    Chart.SKR03: (8400, 8300, 8200, 4900),
    Chart.SKR04: (4400, 4300, 4200, 6300),
}
ACCOUNT_FIELDS = ("datev_revenue_account", "datev_revenue_account_reduced", "datev_revenue_account_exempt",
                  "datev_expense_account")


@dataclass(frozen=True)
class VatAccount:
    """Where a charge at one VAT rate is booked: the revenue account, and the BU key when the account is
    not an automatic VAT account (None: DATEV takes the VAT from the account itself)."""

    account: int
    tax_key: int | None = None


def rate_key(rate: Decimal) -> str:
    """A VAT rate as the map's key: "19", "10.7" (no exponent, no trailing zeros)."""
    return format(rate.normalize(), "f")


@dataclass(frozen=True)
class DatevSettings:
    consultant_number: int
    client_number: int
    chart: str
    fiscal_year_start_month: int
    account_length: int
    debtor_start: int
    debtor_end: int
    revenue_account: int
    revenue_account_reduced: int
    revenue_account_exempt: int
    expense_account: int
    # the configured rates' accounts (``datev_vat_accounts``), keyed by ``rate_key``
    vat_accounts: dict[str, VatAccount] = field(default_factory=dict)

    def revenue_for(self, rate: Decimal) -> VatAccount | None:
        """The account (and BU key) of charges at ``rate``; None when nothing is set for it."""
        configured = self.vat_accounts.get(rate_key(rate))
        if configured is not None:
            return configured
        automatic = {Decimal(19): self.revenue_account, Decimal(7): self.revenue_account_reduced,
                     Decimal(0): self.revenue_account_exempt}.get(rate)
        return None if automatic is None else VatAccount(automatic)


def debtor_bounds(account_length: int) -> tuple[int, int]:
    """The debtor accounts DATEV allows at a general-ledger account length."""
    return 10**account_length, 7 * 10**account_length - 1


def chart_defaults(chart: str, account_length: int) -> tuple[int, int, int, int]:
    scale = 10 ** (account_length - 4)
    base = CHART_DEFAULTS[Chart(chart)]
    return (base[0] * scale, base[1] * scale, base[2] * scale, base[3] * scale)


def effective(m: Municipality) -> DatevSettings:
    length = m.datev_account_length
    low, high = debtor_bounds(length)
    defaults = chart_defaults(m.datev_chart, length)
    accounts = [
        value if value is not None else default
        for value, default in zip(
            (m.datev_revenue_account, m.datev_revenue_account_reduced, m.datev_revenue_account_exempt,
             m.datev_expense_account),
            defaults, strict=True,
        )
    ]
    return DatevSettings(
        consultant_number=m.datev_consultant_number,
        client_number=m.datev_client_number,
        chart=m.datev_chart,
        fiscal_year_start_month=m.fiscal_year_start_month,
        account_length=length,
        debtor_start=m.datev_debtor_start if m.datev_debtor_start is not None else low,
        debtor_end=m.datev_debtor_end if m.datev_debtor_end is not None else high,
        revenue_account=accounts[0],
        revenue_account_reduced=accounts[1],
        revenue_account_exempt=accounts[2],
        expense_account=accounts[3],
        vat_accounts={key: VatAccount(int(value["account"]), value.get("tax_key"))
                      for key, value in (m.datev_vat_accounts or {}).items()},
    )


def accounts_by_rate(settings: DatevSettings) -> dict[Decimal, VatAccount]:
    """Every rate with an account: the automatic 19 / 7 / 0 % and the configured ones (which win)."""
    rates = {Decimal(r) for r in (19, 7, 0)} | {Decimal(key) for key in settings.vat_accounts}
    return {rate: vat for rate in rates if (vat := settings.revenue_for(rate)) is not None}


def vat_accounts_value(entries: list[dict[str, Any]], vat_rates: tuple[Decimal, ...]) -> dict[str, Any]:
    """The stored map of ``[{vat_percent, account, tax_key?}]``: each rate one of the network's, once;
    422 naming ``datev_vat_accounts`` otherwise (the account's range is checked with the rest, in ``check``)."""
    stored: dict[str, Any] = {}
    for entry in entries:
        try:
            rate = Decimal(str(entry["vat_percent"]))
        except (KeyError, InvalidOperation):
            raise Invalid("municipality.vat_rate_unknown", field="datev_vat_accounts", rate="?") from None
        if rate not in vat_rates:
            raise Invalid("municipality.vat_rate_unknown", field="datev_vat_accounts", rate=rate_key(rate),
                          rates=", ".join(rate_key(r) for r in vat_rates))
        key = rate_key(rate)
        if key in stored:
            raise Invalid("municipality.vat_rate_twice", field="datev_vat_accounts", rate=key)
        stored[key] = {"account": entry["account"], "tax_key": entry.get("tax_key")}
    return stored


def _in_range(field: str, value: int | None, bounds: tuple[int, int]) -> None:
    if value is not None and not bounds[0] <= value <= bounds[1]:
        raise Invalid("municipality.out_of_range", field=field, low=bounds[0], high=bounds[1])


def check(m: Municipality) -> None:
    """Validate a municipality's DATEV settings as a whole (after a change); 422 naming the field."""
    _in_range("datev_consultant_number", m.datev_consultant_number, CONSULTANT_RANGE)
    _in_range("datev_client_number", m.datev_client_number, CLIENT_RANGE)
    if m.datev_chart not in (Chart.SKR03, Chart.SKR04):
        raise Invalid("municipality.chart", field="datev_chart")
    _in_range("fiscal_year_start_month", m.fiscal_year_start_month, FISCAL_MONTH_RANGE)
    _in_range("prenotification_days", m.prenotification_days, PRENOTIFICATION_RANGE)
    _in_range("datev_account_length", m.datev_account_length, ACCOUNT_LENGTH_RANGE)
    bounds = debtor_bounds(m.datev_account_length)
    _in_range("datev_debtor_start", m.datev_debtor_start, bounds)
    _in_range("datev_debtor_end", m.datev_debtor_end, bounds)
    settings = effective(m)
    if settings.debtor_end < settings.debtor_start:
        raise Invalid("municipality.debtor_range", field="datev_debtor_end", low=settings.debtor_start)
    ledger_bounds = (1, 10**m.datev_account_length - 1)
    for name in ACCOUNT_FIELDS:
        _in_range(name, getattr(m, name), ledger_bounds)
    for vat in settings.vat_accounts.values():
        _in_range("datev_vat_accounts", vat.account, ledger_bounds)
        _in_range("datev_vat_accounts", vat.tax_key, TAX_KEY_RANGE)
