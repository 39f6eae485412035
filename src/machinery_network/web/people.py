"""German pages of people and their accounts: the profile (with notification choices and the data
download), the password change, the forgotten-password flow, the token list, and the administrator's
user page (edit, deactivate, force a reset, erase). The same services as the JSON API."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network.accounts import export, people, service
from machinery_network.accounts.models import Role, User, UserChange, VatStatus
from machinery_network.api.people import Address, ProfileUpdate, UserUpdate
from machinery_network.auth import Actor, require_role
from machinery_network.config import Settings
from machinery_network.errors import DomainError, Invalid
from machinery_network.i18n import gettext_de
from machinery_network.web.common import AppSettings, CurrentActor, DbSession, OptionalActor, redirect, render
from machinery_network.web.forms import form_action, form_data, int_field

# --- the profile ---------------------------------------------------------------------------------


def _profile_form(user: User) -> dict[str, Any]:
    notify = user.notify or {}
    return {
        "name": user.name, "street": user.street or "", "postcode": user.postcode or "", "town": user.town or "",
        "phone": user.phone or "", "iban": user.iban or "", "vat_status": user.vat_status or "",
        **{f"notify_{kind}": notify.get(kind, "mail") for kind in people.NOTIFICATION_KINDS},
    }


async def _profile_page(
    actor: Actor, db_session: AsyncSession, *, form: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
    message: str | None = None, notice: str | None = None, status_code: int = 200,
) -> Template:
    user = await people.me(db_session, actor)
    return render(
        "people/profile.html", actor, status_code=status_code, user=user, form=form or _profile_form(user),
        errors=errors or {}, message=message, notice=notice, kinds=people.NOTIFICATION_KINDS,
        vat_statuses=[s.value for s in VatStatus],
    )


@get("/profile", include_in_schema=False)
async def profile_page(actor: CurrentActor, db_session: DbSession, done: FromQuery[str | None] = None) -> Template:
    notice = gettext_de(f"people.done_{done}") if done in ("saved", "password") else None
    return await _profile_page(actor, db_session, notice=notice)


@post("/profile", include_in_schema=False)
async def save_profile(request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession) -> Response[Any]:
    form = await form_data(request)
    user = await people.me(db_session, actor)

    async def save() -> None:
        values: dict[str, Any] = {"name": form.get("name", ""), "phone": form.get("phone") or None}
        street, postcode, town = (form.get(k, "").strip() for k in ("street", "postcode", "town"))
        if street or postcode or town:
            values["address"] = Address.model_validate({"street": street, "postcode": postcode, "town": town})
        else:
            values["address"] = None
        if user.role == Role.farmer:
            values["iban"] = form.get("iban") or None
            values["vat_status"] = form.get("vat_status") or None
        values["notifications"] = {
            kind: form.get(f"notify_{kind}", "mail") for kind in people.NOTIFICATION_KINDS
        }
        data = ProfileUpdate.model_validate(values)
        changes = data.model_dump(exclude_unset=True)
        if changes.get("address") is not None:
            changes["address"] = dict(changes["address"])
        await people.update_profile(db_session, actor, changes)

    return await form_action(
        save,
        lambda error: _profile_page(actor, db_session, form=form, errors=error.fields, message=error.message,
                                    status_code=error.status_code),
        lambda _: redirect("/profile?done=saved", request),
    )


@get("/profile/export", include_in_schema=False)
async def download_data(actor: CurrentActor, db_session: DbSession, settings: AppSettings) -> Response[bytes]:
    content, filename = await export.export_zip(db_session, actor, settings)
    return Response(content, media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# --- the password --------------------------------------------------------------------------------


@get("/profile/password", include_in_schema=False)
async def password_page(actor: CurrentActor, db_session: DbSession) -> Template:
    user = await people.me(db_session, actor)
    return render("people/password.html", actor, errors={}, message=None, required=user.password_change_required)


@post("/profile/password", include_in_schema=False)
async def change_password(
    request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession
) -> Response[Any]:
    form = await form_data(request)

    async def change() -> User:
        if form.get("new_password", "") != form.get("repeat", ""):
            raise Invalid("people.repeat_differs", field="repeat")
        return await people.change_password(
            db_session, actor, form.get("current_password", ""), form.get("new_password", ""))

    async def rerender(error: Any) -> Template:
        user = await people.me(db_session, actor)
        errors = {("new_password" if k == "password" else k): v for k, v in error.fields.items()}
        return render("people/password.html", actor, status_code=error.status_code, errors=errors,
                      message=error.message, required=user.password_change_required)

    def done(user: User) -> Response[Any]:
        # The change ended every session, this one too: carry on in a fresh one.
        request.clear_session()
        request.set_session({"uid": user.id, "epoch": user.session_epoch, "role": user.role, "name": user.name})
        return redirect("/profile?done=password", request)

    return await form_action(change, rerender, done)


@get("/password-reset", include_in_schema=False)
async def forgot_page(actor_or_none: OptionalActor) -> Template:
    return render("people/forgot.html", actor_or_none, sent=False, email="", errors={})


@post("/password-reset", include_in_schema=False)
async def forgot(
    request: Request[Any, Any, Any], actor_or_none: OptionalActor, db_session: DbSession, settings: AppSettings
) -> Template:
    form = await form_data(request)
    email = form.get("email", "").strip()
    if "@" not in email or len(email) > 254:
        return render("people/forgot.html", actor_or_none, status_code=422, sent=False, email=email,
                      errors={"email": gettext_de("people.email_invalid")})
    await people.request_reset(db_session, email, settings)
    # The same answer whether or not the address has an account.
    return render("people/forgot.html", actor_or_none, sent=True, email=email, errors={})


@get("/password-reset/{token:str}", include_in_schema=False)
async def reset_page(
    token: FromPath[str], actor_or_none: OptionalActor, db_session: DbSession, settings: AppSettings
) -> Template:
    try:
        await people.reset_user(db_session, token, settings)
    except DomainError as exc:
        return render("people/reset.html", actor_or_none, status_code=exc.status_code, token=token, usable=False,
                      errors={}, message=exc.message("de"))
    return render("people/reset.html", actor_or_none, token=token, usable=True, errors={}, message=None)


@post("/password-reset/{token:str}", include_in_schema=False)
async def reset(
    token: FromPath[str], request: Request[Any, Any, Any], actor_or_none: OptionalActor, db_session: DbSession,
    settings: AppSettings,
) -> Response[Any]:
    form = await form_data(request)

    async def confirm() -> User:
        if form.get("new_password", "") != form.get("repeat", ""):
            raise Invalid("people.repeat_differs", field="repeat")
        return await people.confirm_reset(db_session, token, form.get("new_password", ""), settings)

    def rerender(error: Any) -> Template:
        errors = {("new_password" if k == "password" else k): v for k, v in error.fields.items()}
        return render("people/reset.html", actor_or_none, status_code=error.status_code, token=token,
                      usable="token" not in error.fields, errors=errors, message=error.message)

    return await form_action(confirm, rerender, lambda _: redirect("/login?reset=1", request))


# --- tokens --------------------------------------------------------------------------------------


@get("/profile/tokens", include_in_schema=False)
async def tokens_page(
    actor: CurrentActor, db_session: DbSession, settings: AppSettings, done: FromQuery[str | None] = None
) -> Template:
    tokens = await people.list_tokens(db_session, actor)
    notice = gettext_de("people.token_revoked") if done else None
    return render("people/tokens.html", actor, tokens=tokens, notice=notice, tz=settings.tz)


@post("/profile/tokens/{token_id:int}/revoke", include_in_schema=False)
async def revoke_token(
    token_id: FromPath[int], request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession
) -> Response[Any]:
    await people.revoke_own_token(db_session, actor, token_id)
    return redirect("/profile/tokens?done=1", request)


# --- the administrator's user page ---------------------------------------------------------------


async def _user_page(
    actor: Actor, db_session: AsyncSession, settings: Settings, user_id: int, *, form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None, message: str | None = None, notice: str | None = None,
    status_code: int = 200, confirm_deactivate: bool = False,
) -> Template:
    from sqlalchemy import select

    require_role(actor, Role.admin)
    user = await service.get_user(db_session, user_id)
    municipalities = await service.list_municipalities(db_session)
    changes = list(await db_session.scalars(
        select(UserChange).where(col(UserChange.user_id) == user_id).order_by(col(UserChange.id).desc()).limit(50)))
    balances = await people.open_balances(db_session, user_id) if user.role == Role.farmer else []
    return render(
        "people/admin_user.html", actor, status_code=status_code, user=user, municipalities=municipalities,
        roles=list(Role), changes=changes, tz=settings.tz, balances=balances, errors=errors or {}, message=message, notice=notice,
        confirm_deactivate=confirm_deactivate,
        form=form or {"name": user.name, "role": user.role, "municipality_id": str(user.municipality_id or ""),
                      "active": "1" if user.active else ""},
    )


@get("/admin/users/{user_id:int}", include_in_schema=False)
async def admin_user_page(
    user_id: FromPath[int], actor: CurrentActor, db_session: DbSession, settings: AppSettings,
    done: FromQuery[str | None] = None,
) -> Template:
    notice = gettext_de(f"people.admin_done_{done}") if done in ("saved", "reset", "erased") else None
    return await _user_page(actor, db_session, settings, user_id, notice=notice)


@post("/admin/users/{user_id:int}", include_in_schema=False)
async def admin_save_user(
    user_id: FromPath[int], request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession,
    settings: AppSettings,
) -> Response[Any]:
    require_role(actor, Role.admin)
    form = await form_data(request)
    user = await service.get_user(db_session, user_id)
    if user.active and form.get("active") != "1" and form.get("confirm_deactivate") != "1":
        # Deactivating asks first: the same form again, with the question and a confirming button.
        return await _user_page(actor, db_session, settings, user_id, form=form, confirm_deactivate=True)

    async def save() -> None:
        data = UserUpdate.model_validate({
            "name": form.get("name", ""), "role": form.get("role", ""),
            "municipality_id": int_field(form.get("municipality_id")), "active": form.get("active") == "1",
        })
        await people.update_user(db_session, actor, user_id, data.model_dump())

    return await form_action(
        save,
        lambda error: _user_page(actor, db_session, settings, user_id, form=form, errors=error.fields, message=error.message,
                                 status_code=error.status_code),
        lambda _: redirect(f"/admin/users/{user_id}?done=saved", request),
    )


@post("/admin/users/{user_id:int}/password-reset", include_in_schema=False)
async def admin_force_reset(
    user_id: FromPath[int], request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession,
    settings: AppSettings,
) -> Response[Any]:
    require_role(actor, Role.admin)
    return await form_action(
        lambda: people.force_reset(db_session, actor, user_id, settings),
        lambda error: _user_page(actor, db_session, settings, user_id, message=error.message, status_code=error.status_code),
        lambda _: redirect(f"/admin/users/{user_id}?done=reset", request),
    )


@post("/admin/users/{user_id:int}/erase", include_in_schema=False)
async def admin_erase(
    user_id: FromPath[int], request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession,
    settings: AppSettings,
) -> Response[Any]:
    require_role(actor, Role.admin)
    form = await form_data(request)

    async def erase() -> None:
        if form.get("confirm") != "1":
            raise Invalid("people.erase_confirm", field="confirm")
        await people.erase_farmer(db_session, actor, user_id)

    return await form_action(
        erase,
        lambda error: _user_page(actor, db_session, settings, user_id, message=error.message, status_code=error.status_code),
        lambda _: redirect(f"/admin/users/{user_id}?done=erased", request),
    )



ROUTES = [
    profile_page, save_profile, download_data, password_page, change_password, forgot_page, forgot, reset_page,
    reset, tokens_page, revoke_token, admin_user_page, admin_save_user, admin_force_reset, admin_erase,
]
