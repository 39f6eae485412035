"""The municipality's bank and DATEV settings page (administrator; that municipality's finance office).

Same service and body model as ``PATCH /api/v1/municipalities/{id}``; a refused value re-renders the
form with the German message and what was typed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from machinery_network.accounts import datev_settings, service
from machinery_network.accounts.models import Municipality, Role
from machinery_network.api.accounts import MunicipalityPublic, MunicipalityUpdate
from machinery_network.auth import Actor, require_for_municipality
from machinery_network.config import Settings
from machinery_network.i18n import gettext_de
from machinery_network.money import format_decimal_de
from machinery_network.web.common import AppSettings, CurrentActor, DbSession, redirect, render
from machinery_network.web.forms import form_action, form_data

TEXT_FIELDS = ("iban", "bic", "creditor_id")
NUMBER_FIELDS = (
    "datev_consultant_number", "datev_client_number", "fiscal_year_start_month", "prenotification_days",
    "datev_account_length", "datev_debtor_start", "datev_debtor_end", "datev_revenue_account",
    "datev_revenue_account_reduced", "datev_revenue_account_exempt", "datev_expense_account",
)
# Empty means "the chart's default" for these; for the others it means "unchanged".
CLEARABLE_NUMBERS = ("datev_debtor_start", "datev_debtor_end", "datev_revenue_account",
                     "datev_revenue_account_reduced", "datev_revenue_account_exempt", "datev_expense_account")


def _values(m: Municipality, settings: Settings) -> dict[str, str]:
    public = MunicipalityPublic.of(m).model_dump(exclude={"datev_vat_accounts"})
    values = {key: "" if value is None else str(value) for key, value in public.items()}
    for field in CLEARABLE_NUMBERS:  # show only what was set; the default is the placeholder
        if getattr(m, field) is None:
            values[field] = ""
    configured = datev_settings.effective(m).vat_accounts
    for index, rate in enumerate(settings.vat_rates):  # one row per VAT rate of the network
        vat = configured.get(datev_settings.rate_key(rate))
        values[f"vat_rate_{index}"] = datev_settings.rate_key(rate)
        values[f"vat_account_{index}"] = str(vat.account) if vat else ""
        values[f"vat_key_{index}"] = str(vat.tax_key) if vat and vat.tax_key is not None else ""
    return values


def _vat_rows(m: Municipality, settings: Settings) -> list[dict[str, str]]:
    """The page's rows of accounts per VAT rate: index, rate and the account in effect without an entry."""
    automatic = datev_settings.effective(m)
    rows = []
    for index, rate in enumerate(settings.vat_rates):
        fallback = {Decimal(19): automatic.revenue_account, Decimal(7): automatic.revenue_account_reduced,
                    Decimal(0): automatic.revenue_account_exempt}.get(rate)
        rows.append({"index": str(index), "rate": datev_settings.rate_key(rate),
                     "shown": format_decimal_de(rate), "fallback": "" if fallback is None else str(fallback)})
    return rows


def _vat_accounts(form: dict[str, str]) -> list[dict[str, object]] | None:
    """The posted rows with an account, as the API's list; None when the form had no such rows."""
    if not any(key.startswith("vat_rate_") for key in form):
        return None
    entries: list[dict[str, object]] = []
    index = 0
    while f"vat_rate_{index}" in form:
        account = form.get(f"vat_account_{index}", "").strip()
        key = form.get(f"vat_key_{index}", "").strip()
        if account or key:
            entries.append({"vat_percent": form[f"vat_rate_{index}"],
                            "account": int(account) if account.isdigit() else account,
                            "tax_key": (int(key) if key.isdigit() else key) if key else None})
        index += 1
    return entries


def _page(actor: Actor, m: Municipality, settings: Settings, *, form: dict[str, str] | None = None,
          errors: dict[str, str] | None = None, status_code: int = 200, notice: str | None = None,
          message: str | None = None) -> Template:
    return render(
        "admin/municipality.html", actor, status_code=status_code, municipality=m,
        defaults=MunicipalityPublic.of(m).model_dump(), form=form or _values(m, settings), errors=errors or {},
        notice=notice, message=message, charts=[c.value for c in datev_settings.Chart],
        can_rename=actor.is_admin, vat_rows=_vat_rows(m, settings),
    )


@get("/municipalities/{municipality_id:int}/settings", include_in_schema=False)
async def settings_page(actor: CurrentActor, db_session: DbSession, settings: AppSettings,
                        municipality_id: FromPath[int], done: FromQuery[str | None] = None) -> Template:
    if not actor.is_admin:
        require_for_municipality(actor, municipality_id, Role.finance)
    municipality = await service.get_municipality(db_session, municipality_id)
    return _page(actor, municipality, settings, notice=gettext_de("admin.saved") if done else None)


@post("/municipalities/{municipality_id:int}/settings", include_in_schema=False)
async def save_settings(request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession, settings: AppSettings,
                        municipality_id: FromPath[int]) -> Response[Any]:
    if not actor.is_admin:
        require_for_municipality(actor, municipality_id, Role.finance)
    municipality = await service.get_municipality(db_session, municipality_id)
    form = await form_data(request)
    body: dict[str, object] = {}
    if actor.is_admin and form.get("name", "").strip():
        body["name"] = form["name"]
    for field in TEXT_FIELDS:
        if field in form:
            body[field] = form[field].strip() or None
    if form.get("datev_chart"):
        body["datev_chart"] = form["datev_chart"]
    for field in NUMBER_FIELDS:
        raw = form.get(field, "").strip()
        if raw:
            body[field] = int(raw) if raw.isdigit() else raw
        elif field in CLEARABLE_NUMBERS and field in form:
            body[field] = None
    vat_accounts = _vat_accounts(form)
    if vat_accounts is not None:
        body["datev_vat_accounts"] = vat_accounts
    async def save() -> None:
        data = MunicipalityUpdate.model_validate(body)
        await service.update_municipality(db_session, actor, municipality_id, data.model_dump(exclude_unset=True),
                                          settings)

    return await form_action(
        save,
        lambda error: _page(actor, municipality, settings, form=form, errors=error.fields,
                            status_code=error.status_code, message=error.message),
        lambda _: redirect(f"/municipalities/{municipality_id}/settings?done=1", request),
    )

ROUTES = [settings_page, save_settings]
