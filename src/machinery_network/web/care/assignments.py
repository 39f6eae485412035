"""Assigning a section to a farmer, found by a search field (name or e-mail, searched in SQL), and ending
an assignment; both answer on the yard head's sections page."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, post
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network._sa import row_id
from machinery_network.accounts.models import Role
from machinery_network.accounts.service import USER_ORDER, page_users
from machinery_network.auth import Actor, require_role
from machinery_network.care import service
from machinery_network.care.models import Assignment
from machinery_network.care.schemas import AssignmentCreate, AssignmentEnd
from machinery_network.errors import Invalid
from machinery_network.i18n import gettext_de
from machinery_network.paging import PageRequest
from machinery_network.web.care.sections import sections_page
from machinery_network.web.common import AppSettings, CurrentActor, DbSession, redirect
from machinery_network.web.forms import FormError, date_field, form_action, form_data, int_field, present

_ASSIGN_LABELS = {"farmer_id": "care.farmer", "valid_from": "care.valid_from", "valid_to": "care.valid_to"}


@post("/manage/assignments/{assignment_id:int}/end", include_in_schema=False)
async def end_assignment(
    assignment_id: FromPath[int], request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession,
    settings: AppSettings
) -> Response[Any]:
    require_role(actor, Role.yard_head)
    form = await form_data(request)

    async def end() -> Assignment:
        data = AssignmentEnd.model_validate(present({"valid_to": date_field(form.get("valid_to"))}))
        return await service.end_assignment(db_session, actor, assignment_id, data.valid_to)

    async def again(error: FormError) -> Template:
        if error.validation:
            return await sections_page(db_session, actor, settings, message=gettext_de("field.date"),
                                       status_code=error.status_code)
        section_id = await _section_of_assignment(db_session, assignment_id)
        return await sections_page(db_session, actor, settings, assign_errors={section_id: error.message},
                                   message=error.message, status_code=error.status_code)

    return await form_action(
        end, again,
        lambda assignment: redirect(f"/manage/sections?saved=ended#section-{assignment.section_id}", request),
    )


async def _section_of_assignment(db_session: AsyncSession, assignment_id: int) -> int | None:
    assignment = await db_session.get(Assignment, assignment_id)
    return assignment.section_id if assignment else None


@post("/manage/sections/{section_id:int}/assign", include_in_schema=False)
async def assign_section(
    section_id: FromPath[int], request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession,
    settings: AppSettings
) -> Response[Any]:
    require_role(actor, Role.yard_head)
    form = await form_data(request)
    choices: list[Any] = []

    async def assign() -> None:
        farmer_id = int_field(form.get("farmer_id")) if form.get("farmer_id") else None
        if farmer_id is None:
            farmer_id = await find_farmer(db_session, actor, form.get("farmer_q", ""), choices)
        data = AssignmentCreate.model_validate(present({
            "farmer_id": farmer_id,
            "valid_from": date_field(form.get("valid_from")),
            "valid_to": date_field(form.get("valid_to")),
        }))
        await service.assign(db_session, actor, section_id, data)

    def assign_error(error: FormError) -> str:
        """The refusal in the section's row: for a schema refusal each field named."""
        if not error.validation:
            return error.message
        return "; ".join(f"{gettext_de(_ASSIGN_LABELS.get(k, 'care.assign'))}: {v}" for k, v in error.fields.items())

    return await form_action(
        assign,
        lambda error: sections_page(db_session, actor, settings, assign_errors={section_id: assign_error(error)},
                                    message=error.message, status_code=error.status_code,
                                    assign_choices={section_id: choices}, assign_form={section_id: form}),
        lambda _: redirect("/manage/sections?saved=assignment", request),
    )


FARMER_CHOICES = 20


async def find_farmer(session: AsyncSession, actor: Actor, text: str, choices: list[Any]) -> int:
    """The farmer the search text names: an exact e-mail address, or the only farmer whose name or address
    contains it. Several matches fill ``choices`` (at most ``FARMER_CHOICES``) and refuse with a 422."""
    text = text.strip()
    if not text:
        raise Invalid("care.farmer_search_empty", field="farmer_id")
    page = await page_users(
        session, actor, PageRequest(limit=FARMER_CHOICES, order=USER_ORDER), query=text, partners_only=False
    )
    exact = [u for u in page.rows if u.email.lower() == text.lower()]
    if len(exact) == 1:
        return row_id(exact[0])
    if len(page.rows) == 1:
        return row_id(page.rows[0])
    if not page.rows:
        raise Invalid("care.farmer_not_found", field="farmer_id", text=text)
    choices.extend(page.rows)
    raise Invalid("care.farmer_choose" if page.next_cursor is None else "care.farmer_narrow", field="farmer_id")


ROUTES: list[Any] = [end_assignment, assign_section]
