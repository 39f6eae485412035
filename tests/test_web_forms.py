"""web.forms: the form action's one rule for refusals, and the form-text parsers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from litestar import Response
from pydantic import BaseModel, Field

from machinery_network.errors import Conflict, Invalid, NotAllowed, NotAuthenticated, NotFound
from machinery_network.web.forms import FormError, form_action, int_field, parse_decimal, parse_euros, present


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


@pytest.mark.parametrize(("text", "cents"), [
    ("2.400", 240000), ("1.250,5", 125050), ("1.234,50 €", 123450), ("12,50", 1250), ("12.5", 1250),
    ("-3,10", -310), ("0", 0), ("1.234.567", 123456700),
])
def test_amounts_accept_german_input(text, cents):
    assert parse_euros(text) == cents


@pytest.mark.parametrize("text", ["12,345", "1.23.4", "12,5,0", "zwei", "0.125,5"])
def test_unreadable_amounts_go_on_to_the_schema_unchanged(text):
    assert parse_euros(text) == text


@pytest.mark.parametrize(("text", "value"), [
    ("2.400", Decimal("2400")), ("1.250,5", Decimal("1250.5")), ("12,5", Decimal("12.5")),
    ("12.5", Decimal("12.5")), ("0.125", Decimal("0.125")), (" 7 ", Decimal("7")),
])
def test_quantities_accept_german_input(text, value):
    assert parse_decimal(text) == value


def test_unreadable_quantity_goes_on_unchanged():
    assert parse_decimal("1,2,3") == "1,2,3" and parse_decimal("") is None
