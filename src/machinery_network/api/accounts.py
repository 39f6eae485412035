"""JSON routes: login tokens, municipalities, users."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody
from pydantic import BaseModel, BeforeValidator, Field, StringConstraints

from machinery_network.accounts import datev_settings, people, service
from machinery_network.accounts.models import Municipality, Role
from machinery_network.api.paging import Paging, paged_response
from machinery_network.injected import AppSettings, CurrentActor, DbSession
from machinery_network.schemas import DecimalOut, Email, Id, Input, Name, Note, VatPercent, _whole_number


class TokenRequest(Input):
    email: Email
    password: str


class TokenResponse(BaseModel):
    token: str
    token_type: str = "bearer"
    user_id: int
    role: str
    municipality_id: int | None
    network_id: int | None = None
    # An administrator chose the password: the client should lead the user to POST /me/password.
    password_change_required: bool = False


class MunicipalityCreate(Input):
    name: Name
    iban: str | None = None
    bic: str | None = None
    creditor_id: Name | None = None
    address: Note | None = None


class DatevVatAccount(BaseModel):
    """A VAT rate's revenue account and, for an account without automatic VAT, its BU key (1–9999)."""

    vat_percent: DecimalOut
    account: int
    tax_key: int | None = None


class MunicipalityPublic(BaseModel):
    id: int
    name: str
    network_id: int | None
    iban: str | None
    bic: str | None
    creditor_id: str | None
    address: str | None
    datev_consultant_number: int
    datev_client_number: int
    datev_chart: str
    fiscal_year_start_month: int
    prenotification_days: int
    datev_account_length: int
    datev_debtor_start: int
    datev_debtor_end: int
    datev_revenue_account: int
    datev_revenue_account_reduced: int
    datev_revenue_account_exempt: int
    datev_expense_account: int
    # the accounts per VAT rate in effect: the automatic ones of 19 / 7 / 0 % and every configured rate
    datev_vat_accounts: list[DatevVatAccount] = []

    @classmethod
    def of(cls, m: Municipality) -> MunicipalityPublic:
        """With the effective DATEV settings (the chart's defaults where nothing is set)."""
        s = datev_settings.effective(m)
        return cls(
            id=m.id, name=m.name, network_id=m.network_id, iban=m.iban, bic=m.bic, creditor_id=m.creditor_id,
            address=m.address,
            datev_consultant_number=s.consultant_number, datev_client_number=s.client_number,
            datev_chart=s.chart, fiscal_year_start_month=s.fiscal_year_start_month,
            prenotification_days=m.prenotification_days, datev_account_length=s.account_length,
            datev_debtor_start=s.debtor_start, datev_debtor_end=s.debtor_end,
            datev_revenue_account=s.revenue_account, datev_revenue_account_reduced=s.revenue_account_reduced,
            datev_revenue_account_exempt=s.revenue_account_exempt, datev_expense_account=s.expense_account,
            datev_vat_accounts=[
                DatevVatAccount(vat_percent=rate, account=vat.account, tax_key=vat.tax_key)
                for rate, vat in sorted(datev_settings.accounts_by_rate(s).items())
            ],
        )

WholeNumber = Annotated[int, BeforeValidator(_whole_number)]


class DatevVatAccountInput(Input):
    vat_percent: VatPercent
    account: Annotated[WholeNumber, Field(ge=1, le=99_999_999)]
    tax_key: Annotated[WholeNumber, Field(ge=1, le=9999)] | None = None


class MunicipalityUpdate(Input):
    """PATCH body: every field optional; null clears IBAN/BIC/creditor id, and resets a DATEV account
    or the debtor range to the chart's default."""

    name: Name | None = None
    address: Note | None = None
    iban: Annotated[str, StringConstraints(max_length=50)] | None = None
    bic: Annotated[str, StringConstraints(max_length=20)] | None = None
    creditor_id: Annotated[str, StringConstraints(max_length=50)] | None = None
    datev_consultant_number: Annotated[WholeNumber, Field(ge=1001, le=9_999_999)] | None = None
    datev_client_number: Annotated[WholeNumber, Field(ge=1, le=99_999)] | None = None
    datev_chart: Literal["SKR03", "SKR04"] | None = None
    fiscal_year_start_month: Annotated[WholeNumber, Field(ge=1, le=12)] | None = None
    prenotification_days: Annotated[WholeNumber, Field(ge=1, le=30)] | None = None
    datev_account_length: Annotated[WholeNumber, Field(ge=4, le=8)] | None = None
    datev_debtor_start: Annotated[WholeNumber, Field(ge=10_000, le=699_999_999)] | None = None
    datev_debtor_end: Annotated[WholeNumber, Field(ge=10_000, le=699_999_999)] | None = None
    datev_revenue_account: Annotated[WholeNumber, Field(ge=1, le=99_999_999)] | None = None
    datev_revenue_account_reduced: Annotated[WholeNumber, Field(ge=1, le=99_999_999)] | None = None
    datev_revenue_account_exempt: Annotated[WholeNumber, Field(ge=1, le=99_999_999)] | None = None
    datev_expense_account: Annotated[WholeNumber, Field(ge=1, le=99_999_999)] | None = None
    # replaces the list of accounts per VAT rate (each rate one of MN_VAT_RATES); null or [] clears it
    datev_vat_accounts: Annotated[list[DatevVatAccountInput], Field(max_length=20)] | None = None


class UserCreate(Input):
    email: Email
    password: str
    name: Name
    role: Role
    municipality_id: Id | None = None
    iban: str | None = None
    bic: str | None = None
    address: Note | None = None
    network_id: Id | None = None


class UserPublic(BaseModel):
    id: int
    email: str
    name: str
    role: str
    municipality_id: int | None
    network_id: int | None
    iban: str | None


def client_address(request: Request[Any, Any, Any]) -> str:
    return (request.client.host if request.client else None) or "unknown"


class AuthController(Controller):
    path = "/auth"
    tags = ["auth"]

    @post("/token", status_code=200, security=[])
    async def token(self, data: JSONBody[TokenRequest], request: Request[Any, Any, Any], db_session: DbSession) -> TokenResponse:
        user = await service.authenticate(db_session, data.email, data.password, client_address(request))
        token = await service.issue_token(db_session, user, request.headers.get("user-agent"))
        return TokenResponse(token=token, user_id=user.id, role=user.role, municipality_id=user.municipality_id,
                             network_id=user.network_id,
                             password_change_required=user.password_change_required)

    @get("/me")
    async def me(self, actor: CurrentActor) -> dict[str, Any]:
        return {"id": actor.id, "name": actor.name, "email": actor.email, "role": actor.role,
                "municipality_id": actor.municipality_id, "network_id": actor.network_id}


class MunicipalityController(Controller):
    path = "/municipalities"
    tags = ["municipalities"]

    @post("/")
    async def create(self, data: JSONBody[MunicipalityCreate], actor: CurrentActor, db_session: DbSession) -> MunicipalityPublic:
        municipality = await service.create_municipality(db_session, actor, **data.model_dump())
        return MunicipalityPublic.of(municipality)

    @get("/")
    async def list_(
        self, request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession, paging: Paging,
        q: FromQuery[str | None] = None
    ) -> Response[list[Any]]:
        """By name, then id; ``q`` searches the name; paged (``limit``, ``cursor``, ``Link: rel="next"``)."""
        page = paging.page(order=service.MUNICIPALITY_ORDER, width=2)
        municipalities = await service.page_municipalities(db_session, page, actor.network_id, query=q)
        return paged_response(request, municipalities, MunicipalityPublic.of)

    @get("/{municipality_id:int}")
    async def show(self, municipality_id: FromPath[int], actor: CurrentActor, db_session: DbSession) -> MunicipalityPublic:
        return MunicipalityPublic.of(await service.get_municipality(db_session, municipality_id))

    @patch("/{municipality_id:int}")
    async def update(
        self, municipality_id: FromPath[int], data: JSONBody[MunicipalityUpdate], actor: CurrentActor,
        db_session: DbSession, settings: AppSettings,
    ) -> MunicipalityPublic:
        """Admin: every field; that municipality's finance office: bank, SEPA and DATEV fields."""
        changes = data.model_dump(exclude_unset=True)
        return MunicipalityPublic.of(
            await service.update_municipality(db_session, actor, municipality_id, changes, settings))


class UserController(Controller):
    path = "/users"
    tags = ["users"]

    @post("/")
    async def create(self, data: JSONBody[UserCreate], actor: CurrentActor, db_session: DbSession) -> UserPublic:
        user = await service.create_user(db_session, actor, **data.model_dump())
        return UserPublic.model_validate(user, from_attributes=True)

    @get("/")
    async def list_(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        db_session: DbSession,
        paging: Paging,
        q: FromQuery[str | None] = None,
        role: FromQuery[str | None] = None,
        sort: FromQuery[str | None] = None,
    ) -> Response[list[Any]]:
        """Admin: every user; yard heads and finance: their municipality's partners; the IBAN only for
        finance and admin. Paged by name, then id (``sort``: ``name``, ``email``, ``-`` first for descending);
        ``q`` searches name and e-mail address."""
        order = service.USER_SORTS.choose(sort)
        users = await service.page_users(db_session, actor, order.page(paging.limit, paging.cursor), query=q, role=role, sort=order)
        iban = people.sees_iban(actor)
        return paged_response(request, users, lambda u: UserPublic(
            id=u.id, email=u.email, name=u.name, role=u.role, municipality_id=u.municipality_id,
            network_id=u.network_id, iban=u.iban if iban else None,
        ))


ROUTES = [AuthController, MunicipalityController, UserController]
