"""web.forms: the form action's one rule for refusals, and the form-text parsers."""

from __future__ import annotations

import pytest
from litestar import Response
from pydantic import BaseModel, Field

from machinery_network.errors import Conflict, Invalid, NotAllowed, NotAuthenticated, NotFound
from machinery_network.web.forms import FormError, form_action, int_field, parse_euros, present


class _Amount(BaseModel):
    amount_cents: int = Field(ge=0)


def _rerender(seen: list[FormError]):
    def rerender(error: FormError) -> Response:
        seen.append(error)
        return Response(content=error.message, status_code=error.status_code)

    return rerender


async def test_success_answers_with_done_of_the_result():
    async def action() -> int:
        return 7

    seen: list[FormError] = []
    response = await form_action(action, _rerender(seen), lambda n: Response(content=str(n), status_code=303))
    assert response.status_code == 303 and response.content == "7"
    assert seen == []


async def test_schema_refusal_rerenders_with_422_and_renamed_fields():
    async def action() -> None:
        _Amount.model_validate({"amount_cents": -1})

    seen: list[FormError] = []
    response = await form_action(action, _rerender(seen), lambda _: Response(content=""),
                                 rename={"amount_cents": "amount"})
    assert response.status_code == 422
    assert seen[0].validation and set(seen[0].fields) == {"amount"}
    assert seen[0].message == "Bitte prüfen Sie die Eingaben."


@pytest.mark.parametrize("error", [NotAllowed(), Conflict("booking.overlap_block"), Invalid("field.date", field="x")])
async def test_domain_refusals_rerender_with_their_status(error):
    async def action() -> None:
        raise error

    seen: list[FormError] = []
    response = await form_action(action, _rerender(seen), lambda _: Response(content=""))
    assert response.status_code == error.status_code
    assert seen[0].message == error.message("de") and not seen[0].validation
    assert seen[0].fields == ({"x": error.message("de")} if error.field else {})


@pytest.mark.parametrize("error", [NotAuthenticated(), NotFound("booking.not_found", id=1)])
async def test_missing_login_and_missing_things_propagate(error):
    async def action() -> None:
        raise error

    seen: list[FormError] = []
    with pytest.raises(type(error)):
        await form_action(action, _rerender(seen), lambda _: Response(content=""))
    assert seen == []


async def test_async_rerender_is_awaited():
    async def action() -> None:
        raise Conflict("booking.overlap_block")

    async def rerender(error: FormError) -> Response:
        return Response(content="again", status_code=error.status_code)

    response = await form_action(action, rerender, lambda _: Response(content=""))
    assert response.status_code == 409 and response.content == "again"


def test_form_text_parsers():
    assert int_field(" 12 ") == 12 and int_field("") is None and int_field("zwölf") == "zwölf"
    assert present({"a": None, "b": ""}) == {"b": ""}
    assert parse_euros("12,50") == 1250 and parse_euros("") is None and parse_euros("x") == "x"
