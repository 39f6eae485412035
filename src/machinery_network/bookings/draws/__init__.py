"""The fair draw for contested days (issue #18): contested seasons, collecting, running, replaying.

- ``seasons``: marking an item as contested, the weekly deadline, which weeks are due, whether a
  collected request still waits for its draw.
- ``running``: drawing due weeks exactly once (the scheduler's job and the yard head's button).
- ``deciding``: recording a draw's decisions set-based: winners approved (the exclusion constraint
  decides), the others on the waiting list with their reason, the entries, everyone told.
- ``results``: reading draws, the reasons in words, season hours, the replay from the stored seed.

The pure allocation rule is ``bookings.allocation``; the tables are in ``bookings.draw_models``. The
rest of the code imports from this package only what it names here.
"""

from machinery_network.bookings.draws.results import (
    DRAW_ORDER,
    DrawResult,
    get_draw,
    list_draws,
    page_draws,
    reason_text,
    replay,
    replays,
    season_hours,
)
from machinery_network.bookings.draws.running import (
    DRAW_LOCK,
    DrawOutcome,
    draw_weeks,
    run_draw,
    run_due_draws,
)
from machinery_network.bookings.draws.seasons import (
    DueWeek,
    SeasonInput,
    deadline_of,
    due_weeks,
    find_due,
    list_seasons,
    mark_contested,
    pending_draw,
    week_bounds,
    week_start,
)

__all__ = [
    "DRAW_LOCK", "DRAW_ORDER", "DrawOutcome", "DrawResult", "DueWeek", "SeasonInput", "deadline_of", "draw_weeks",
    "due_weeks", "find_due", "get_draw", "list_draws", "list_seasons", "mark_contested", "page_draws",
    "pending_draw", "reason_text", "replay", "replays", "run_draw", "run_due_draws", "season_hours", "week_bounds",
    "week_start",
]
