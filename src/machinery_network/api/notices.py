"""JSON routes of the caller's notices: the list (newest first, paged), marking read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from pydantic import BaseModel

from machinery_network.api.paging import Paging
from machinery_network.injected import CurrentActor, DbSession
from machinery_network.notifications import notices
from machinery_network.notifications.models import Notice
from machinery_network.paging import next_link


class NoticePublic(BaseModel):
    id: int
    kind: str
    text: str
    link: str | None
    created_at: datetime
    read: bool

    @classmethod
    def of(cls, notice: Notice, lang: str = "de") -> NoticePublic:
        text = notice.text if lang == "de" else notices.render(notice.key, notice.params or {}, lang)
        return cls(id=notice.id or 0, kind=notice.kind, text=text, link=notice.link, created_at=notice.created_at,
                   read=notice.read_at is not None)


def language(request: Request[Any, Any, Any]) -> str:
    """German unless the client prefers English (``Accept-Language: en…``): notices speak to people."""
    first = request.headers.get("accept-language", "").split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "de"


class NoticeController(Controller):
    path = "/me/notices"
    tags = ["me"]

    @get("/")
    async def list_(
        self, request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession, paging: Paging,
    ) -> Response[list[Any]]:
        """The caller's notices, newest first (by ``created_at``, then ``id``); ``limit`` (default 100, at most
        1,000) and ``cursor``, the next page named in the ``Link`` header. Texts in German, or in English
        with ``Accept-Language: en``."""
        page = paging.page(order=notices.ORDER, width=len(notices.KEYS))
        found = await notices.page_notices(db_session, actor, page)
        lang = language(request)
        headers: dict[str, str] = {}
        url = request.url
        link = next_link(f"{url.scheme}://{url.netloc}{url.path}", list(request.query_params.multi_items()),
                         found.next_cursor)
        if link is not None:
            headers["Link"] = link
        return Response([NoticePublic.of(n, lang).model_dump(mode="json") for n in found.rows], headers=headers)

    @get("/unread")
    async def unread(self, actor: CurrentActor, db_session: DbSession) -> dict[str, int]:
        return {"unread": await notices.unread_count(db_session, actor)}

    @post("/{notice_id:int}/read", status_code=204)
    async def read(self, notice_id: FromPath[int], actor: CurrentActor, db_session: DbSession) -> None:
        await notices.mark_read(db_session, actor, notice_id)

    @post("/read-all", status_code=204)
    async def read_all(self, actor: CurrentActor, db_session: DbSession) -> None:
        await notices.mark_all_read(db_session, actor)


ROUTES: list[type[Controller]] = [NoticeController]
