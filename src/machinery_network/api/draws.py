"""JSON routes of repeating bookings and the fair draw (issue #18)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, JSONBody

from machinery_network._sa import row_id
from machinery_network.accounts.models import Role
from machinery_network.api.paging import Paging, paged_response
from machinery_network.auth import Actor
from machinery_network.bookings import draws, series
from machinery_network.bookings.draw_models import ContestedSeason
from machinery_network.bookings.schemas import (
    DrawEntryPublic,
    DrawPublic,
    SeasonCreate,
    SeasonPublic,
    SeriesCreate,
    SeriesPublic,
)
from machinery_network.i18n import translate
from machinery_network.injected import AppSettings, CurrentActor, DbSession


class SeriesController(Controller):
    path = "/booking-series"
    tags = ["bookings"]

    @post("/")
    async def create(
        self, data: JSONBody[SeriesCreate], actor: CurrentActor, db_session: DbSession, settings: AppSettings
    ) -> SeriesPublic:
        result = await series.create_series(db_session, actor, series_input(data), settings)
        return SeriesPublic.of(result)

    @get("/")
    async def list_(self, actor: CurrentActor, db_session: DbSession) -> list[SeriesPublic]:
        found = await series.list_series(db_session, actor)
        return [SeriesPublic.of(series.SeriesResult(s, await series.occurrences_of(db_session, row_id(s))))
                for s in found]

    @get("/{series_id:int}")
    async def show(self, series_id: FromPath[int], actor: CurrentActor, db_session: DbSession) -> SeriesPublic:
        return SeriesPublic.of(await series.get_series(db_session, actor, series_id))

    @post("/{series_id:int}/cancel", status_code=200)
    async def cancel(
        self, series_id: FromPath[int], actor: CurrentActor, db_session: DbSession, settings: AppSettings
    ) -> SeriesPublic:
        return SeriesPublic.of(await series.cancel_series(db_session, actor, series_id, settings))


def series_input(data: SeriesCreate) -> series.SeriesInput:
    return series.SeriesInput(
        item_id=data.item_id, weekdays=data.weekdays, start_time=data.start_time, end_time=data.end_time,
        first_day=data.from_, last_day=data.until, with_operator=data.with_operator,
        expected_quantity=data.expected_quantity, note=(data.note or "").strip() or None,
    )


def season_input(data: SeasonCreate) -> draws.SeasonInput:
    """The contested season the body (JSON or the draws page's form) asks for."""
    return draws.SeasonInput(data.first_day, data.last_day, data.deadline_weekday, data.deadline_time)


def season_public(season: ContestedSeason) -> SeasonPublic:
    return SeasonPublic(id=season.id or 0, item_id=season.item_id, first_day=season.first_day,
                        last_day=season.last_day, deadline_weekday=season.deadline_weekday,
                        deadline_time=season.deadline_time, created_at=season.created_at)


def draw_public(result: draws.DrawResult | None, actor: Actor, *, draw: Any = None, lang: str = "en") -> DrawPublic:
    """A draw; with its entries when ``result`` is given. A farmer sees the other farmers as numbers
    (in the order of their lots as they appear), himself by name."""
    draw = result.draw if result is not None else draw
    entries = None
    if result is not None:
        numbers: dict[int, int] = {}
        entries = []
        for entry in result.entries:
            n = numbers.setdefault(entry.farmer_id, len(numbers) + 1)
            hidden = actor.role == Role.farmer and entry.farmer_id != actor.id
            entries.append(DrawEntryPublic(
                position=entry.position, booking_id=entry.booking_id,
                farmer_id=None if hidden else entry.farmer_id,
                farmer=translate("draw.farmer_n", lang, n=n) if hidden else result.names.get(entry.farmer_id, ""),
                start=entry.start_at, end=entry.end_at, season_hours=entry.season_hours, won=entry.won,
                reason=entry.reason,
                reason_text=draws.reason_text(entry.reason, entry.season_hours, draw.id, draw.seed, lang),
                against_booking_id=entry.against_booking_id,
            ))
    return DrawPublic(id=draw.id, item_id=draw.item_id, season_id=draw.season_id, period_start=draw.period_start,
                      period_end=draw.period_end, seed=str(draw.seed), trigger=draw.trigger, ran_at=draw.ran_at,
                      occupied=draw.occupied, entries=entries,
                      replays=draws.replays(result) if result is not None else None)


class ItemDrawController(Controller):
    path = "/items/{item_id:int}"
    tags = ["bookings"]

    @post("/contested")
    async def mark_contested(
        self, item_id: FromPath[int], data: JSONBody[SeasonCreate], actor: CurrentActor, db_session: DbSession
    ) -> SeasonPublic:
        return season_public(await draws.mark_contested(db_session, actor, item_id, season_input(data)))

    @get("/contested")
    async def list_contested(self, item_id: FromPath[int], actor: CurrentActor, db_session: DbSession) -> list[SeasonPublic]:
        return [season_public(s) for s in await draws.list_seasons(db_session, item_id)]

    @post("/draws")
    async def run(
        self, item_id: FromPath[int], actor: CurrentActor, db_session: DbSession, settings: AppSettings
    ) -> DrawPublic:
        result = await draws.run_draw(db_session, actor, item_id, settings, trigger="hand")
        return draw_public(result, actor)

    @get("/draws")
    async def list_draws(
        self, request: Request[Any, Any, Any], item_id: FromPath[int], actor: CurrentActor, db_session: DbSession, paging: Paging,
    ) -> Response[list[Any]]:
        """The latest period first; paged (``limit``, ``cursor``, ``Link: rel="next"``)."""
        page = paging.page(order=draws.DRAW_ORDER, width=1)
        return paged_response(request, await draws.page_draws(db_session, item_id, page),
                              lambda d: draw_public(None, actor, draw=d))


class DrawController(Controller):
    path = "/draws"
    tags = ["bookings"]

    @get("/{draw_id:int}")
    async def show(self, draw_id: FromPath[int], actor: CurrentActor, db_session: DbSession) -> DrawPublic:
        return draw_public(await draws.get_draw(db_session, actor, draw_id), actor)


ROUTES: list[Any] = [SeriesController, ItemDrawController, DrawController]
