"""Words of the bookings domain: refusals (API English, forms German) and the booking pages."""

MESSAGES = {
    # --- refusals --------------------------------------------------------------------------------
    "booking.not_found": {"de": "Buchung nicht gefunden.", "en": "Booking not found."},
    "booking.end_before_start": {
        "de": "Das Ende muss nach dem Beginn liegen.", "en": "The end must be after the start.",
    },
    "booking.start_in_past": {
        "de": "Der Beginn liegt in der Vergangenheit.", "en": "The start is in the past.",
    },
    "booking.beyond_horizon": {
        "de": "Buchungen sind höchstens {days} Tage im Voraus möglich.",
        "en": "Bookings can be made at most {days} days ahead.",
    },
    "booking.timezone_required": {
        "de": "Zeitangaben brauchen eine Zeitzone.", "en": "Times must carry a UTC offset.",
    },
    "booking.item_inactive": {
        "de": "Dieses Gerät ist derzeit nicht buchbar.", "en": "This item is not active and cannot be booked.",
    },
    "booking.no_operator": {
        "de": "Für dieses Gerät gibt es keinen Bediener.", "en": "This item has no operator rate; book it without operator.",
    },
    "booking.overlap_booking": {
        "de": "Das Gerät ist von {start_de} bis {end_de} bereits gebucht.",
        "en": "The item is already booked from {start} to {end}.",
    },
    "booking.overlap_block": {
        "de": "Das Gerät ist von {start_de} bis {end_de} gesperrt (Wartung oder Eigenbedarf).",
        "en": "The item is blocked from {start} to {end} (maintenance or own use).",
    },
    "booking.overlap_gone": {
        "de": "Der Zeitraum ist inzwischen belegt. Bitte erneut versuchen.",
        "en": "The period was just taken; try again.",
    },
    # booking rules (bookings/rules.py): each message names its rule
    "booking.rule.min_notice_hours": {
        "de": "Buchungsregel „Mindestvorlauf“: Anfragen für dieses Gerät sind nur bis {limit} Stunden vor Beginn möglich.",
        "en": "Booking rule min_notice_hours: requests for this item must start at least {limit} hours from now.",
    },
    "booking.rule.max_lead_days": {
        "de": "Buchungsregel „Höchstvorlauf“: Dieses Gerät kann höchstens {limit} Tage im Voraus angefragt werden.",
        "en": "Booking rule max_lead_days: this item can be requested at most {limit} days ahead.",
    },
    "booking.rule.max_hours_per_farmer_week": {
        "de": "Buchungsregel „Höchststunden je Landwirt und Woche“: höchstens {limit} Stunden je Woche; "
              "mit dieser Anfrage wären es {hours_de} Stunden.",
        "en": "Booking rule max_hours_per_farmer_week: at most {limit} hours per farmer and week; "
              "with this request it would be {hours} hours.",
    },
    "booking.rule.max_hours_per_farmer_season": {
        "de": "Buchungsregel „Höchststunden je Landwirt und Saison“: höchstens {limit} Stunden je Saison "
              "(Kalenderjahr); mit dieser Anfrage wären es {hours_de} Stunden.",
        "en": "Booking rule max_hours_per_farmer_season: at most {limit} hours per farmer and season "
              "(calendar year); with this request it would be {hours} hours.",
    },
    "booking.rule.max_open_requests_per_farmer": {
        "de": "Buchungsregel „Höchstzahl offener Anfragen je Landwirt“: Sie haben bereits {limit} offene "
              "Buchungsanfragen für dieses Gerät.",
        "en": "Booking rule max_open_requests_per_farmer: you already have {limit} open requests for this item.",
    },
    "booking.not_offered": {
        "de": "Für diese Buchung liegt kein Angebot von der Warteliste vor (Status: {status:@status}).",
        "en": "This booking has no offer from the waiting list (status: {status}).",
    },
    "booking.offer_expired": {
        "de": "Das Angebot von der Warteliste ist abgelaufen.", "en": "The offer from the waiting list has expired.",
    },
    "booking.not_requested": {
        "de": "Die Buchung ist nicht mehr offen (Status: {status:@status}).",
        "en": "The booking is not open for a decision (status: {status}).",
    },
    "booking.not_cancellable": {
        "de": "Diese Buchung kann nicht mehr storniert werden (Status: {status:@status}).",
        "en": "This booking cannot be cancelled (status: {status}).",
    },
    "booking.already_started": {
        "de": "Die Buchung hat bereits begonnen und kann nicht mehr storniert werden.",
        "en": "The booking has already started and can no longer be cancelled.",
    },
    "booking.not_approved": {
        "de": "Nur genehmigte Buchungen können abgeschlossen werden (Status: {status:@status}).",
        "en": "Only approved bookings can be completed (status: {status}).",
    },
    "booking.not_started": {
        "de": "Die Buchung hat noch nicht begonnen.", "en": "The booking has not started yet.",
    },
    "booking.quantity_positive": {
        "de": "Die Menge muss größer als null sein.", "en": "The quantity must be greater than zero.",
    },
    "bookings.rates_changed": {
        "de": "Genehmigt zum Satz von {approved} (USt. {vat} %); der Satz des Geräts ist jetzt {current}. Abgerechnet wird der genehmigte.",
        "en": "Approved at the rate of {approved} (VAT {vat} %); the item's rate is now {current}. The approved one is charged.",
    },
    "booking.quantity_over_limit": {
        "de": "Die Menge ist größer, als der gebuchte Zeitraum erlaubt (höchstens {limit}).",
        "en": "The quantity exceeds what the booked period allows (at most {limit}).",
    },
    "booking.operator_hours_over_limit": {
        "de": "Mehr Bedienerstunden, als der gebuchte Zeitraum erlaubt (höchstens {limit}).",
        "en": "More operator hours than the booked period allows (at most {limit}).",
    },
    "booking.operator_hours_without_rate": {
        "de": "Für dieses Gerät gibt es keinen Bedienersatz.", "en": "This item has no operator rate.",
    },
    "booking.bad_status": {"de": "Unbekannter Status.", "en": "Unknown status."},
    "booking.window": {
        "de": "Der Zeitraum ist ungültig (höchstens {days} Tage).",
        "en": "Invalid window: 'to' must be after 'from', at most {days} days.",
    },
    "block.not_found": {"de": "Sperrzeit nicht gefunden.", "en": "Block not found."},
    "calendar.not_found": {"de": "Kalender nicht gefunden.", "en": "Calendar not found."},
    # --- status words ----------------------------------------------------------------------------
    "status.requested": {"de": "angefragt", "en": "requested"},
    "status.approved": {"de": "genehmigt", "en": "approved"},
    "status.rejected": {"de": "abgelehnt", "en": "rejected"},
    "status.cancelled": {"de": "storniert", "en": "cancelled"},
    "status.completed": {"de": "abgeschlossen", "en": "completed"},
    "status.waiting": {"de": "auf der Warteliste", "en": "waiting"},
    "status.offered": {"de": "Angebot (Nachrücken)", "en": "offered"},
    "status.expired": {"de": "Angebot abgelaufen", "en": "offer expired"},
    # --- pages -----------------------------------------------------------------------------------
    "bookings.title": {"de": "Meine Buchungen", "en": "My bookings"},
    "bookings.inbox": {"de": "Buchungsanfragen", "en": "Booking requests"},
    "bookings.item": {"de": "Gerät / Leistung", "en": "Item"},
    "bookings.farmer": {"de": "Landwirt", "en": "Farmer"},
    "bookings.period": {"de": "Zeitraum", "en": "Period"},
    "bookings.received": {"de": "Angefragt am", "en": "Requested on"},
    "bookings.sort_open": {"de": "Offene Anfragen zuerst", "en": "Open requests first"},
    "bookings.search_placeholder": {"de": "Gerät oder Landwirt", "en": "Item or farmer"},
    "bookings.status": {"de": "Status", "en": "Status"},
    "bookings.estimate": {"de": "Kostenschätzung", "en": "Estimate"},
    "bookings.estimate_none": {
        "de": "Für eine Schätzung bitte die erwartete Menge angeben.",
        "en": "Enter the expected quantity for an estimate.",
    },
    "bookings.estimate_gross": {"de": "voraussichtlich {amount} brutto", "en": "about {amount} gross"},
    "bookings.charge": {"de": "Berechnet", "en": "Charged"},
    "bookings.cancel": {"de": "Stornieren", "en": "Cancel"},
    "bookings.approve": {"de": "Genehmigen", "en": "Approve"},
    "bookings.reject": {"de": "Ablehnen", "en": "Reject"},
    "bookings.reject_reason": {"de": "Begründung", "en": "Reason"},
    "bookings.complete": {"de": "Abschließen", "en": "Complete"},
    "bookings.quantity": {"de": "Tatsächliche Menge ({unit})", "en": "Actual quantity ({unit})"},
    "bookings.operator_hours": {"de": "Bedienerstunden", "en": "Operator hours"},
    "bookings.history": {"de": "Verlauf", "en": "History"},
    "bookings.at": {"de": "Zeitpunkt", "en": "When"},
    "bookings.by": {"de": "durch", "en": "By"},
    "bookings.conflict_flag": {"de": "überschneidet sich", "en": "overlaps"},
    "bookings.conflict_taken": {"de": "Der Zeitraum ist schon belegt (Buchung oder Sperrzeit).",
                                "en": "The period is taken already (a booking or a block)."},
    "bookings.conflict_competing": {"de": "Andere offene Anfragen für denselben Zeitraum.",
                                    "en": "Other open requests for the same period."},
    "bookings.conflict_hint": {
        "de": "Achtung: In diesem Zeitraum liegen bereits andere Anfragen vor. Der Bauhof entscheidet.",
        "en": "Other requests exist for this period; the building yard decides.",
    },
    "bookings.none": {"de": "Noch keine Buchungen.", "en": "No bookings yet."},
    "bookings.book": {"de": "Buchung anfragen", "en": "Request booking"},
    "bookings.form_title": {"de": "Buchen", "en": "Book"},
    "bookings.start_date": {"de": "Beginn (Datum)", "en": "Start date"},
    "bookings.start_time": {"de": "Beginn (Uhrzeit)", "en": "Start time"},
    "bookings.end_date": {"de": "Ende (Datum)", "en": "End date"},
    "bookings.end_time": {"de": "Ende (Uhrzeit)", "en": "End time"},
    "bookings.with_operator": {"de": "mit Bediener", "en": "with operator"},
    "bookings.expected_quantity": {"de": "Erwartete Menge ({unit})", "en": "Expected quantity ({unit})"},
    "bookings.note": {"de": "Bemerkung", "en": "Note"},
    "bookings.week": {"de": "Belegung", "en": "Occupancy"},
    "bookings.prev_week": {"de": "← Vorwoche", "en": "← previous week"},
    "bookings.next_week": {"de": "nächste Woche →", "en": "next week →"},
    "bookings.busy_booking": {"de": "gebucht", "en": "booked"},
    "bookings.busy_block": {"de": "gesperrt", "en": "blocked"},
    "bookings.busy_buffer": {"de": "Rüst- und Fahrzeit", "en": "set-up and travel time"},
    "bookings.blocks": {"de": "Sperrzeiten (Wartung, Eigenbedarf)", "en": "Blocks (maintenance, own use)"},
    "bookings.block_reason": {"de": "Grund", "en": "Reason"},
    "bookings.add_block": {"de": "Sperrzeit eintragen", "en": "Add block"},
    "bookings.calendar_feed": {"de": "Kalender-Abo (iCal)", "en": "Calendar feed (iCal)"},
    "bookings.requested_ok": {"de": "Ihre Anfrage wurde gesendet.", "en": "Your request was sent."},
    "bookings.filter_status": {"de": "Status", "en": "Status"},
    "bookings.decided": {"de": "entschieden", "en": "decided"},
    "bookings.event_created": {"de": "angefragt", "en": "requested"},
    # --- repeating bookings (series) and the fair draw (draws) ---------------------------------------
    "booking.in_draw": {
        "de": "Diese Buchungsanfrage fällt in einen Verlosungszeitraum und wird nach dem Meldeschluss verlost; "
              "sie kann nicht von Hand genehmigt werden.",
        "en": "This request is for a contested day and goes into the draw after the deadline; it cannot be "
              "approved by hand.",
    },
    "series.weekdays": {
        "de": "Bitte mindestens einen Wochentag wählen (1 = Montag … 7 = Sonntag).",
        "en": "Choose at least one weekday (1 = Monday … 7 = Sunday).",
    },
    "series.times": {
        "de": "Die Endzeit muss nach der Anfangszeit liegen.", "en": "The end time must be after the start time.",
    },
    "series.days": {
        "de": "Das Enddatum der Serie muss nach dem Anfangsdatum liegen.",
        "en": "The series must end on or after its first day.",
    },
    "series.no_days": {
        "de": "In diesem Zeitraum liegt kein gewählter Wochentag.", "en": "No chosen weekday lies in this period.",
    },
    "series.too_many": {
        "de": "Eine Serienbuchung umfasst höchstens {limit} Termine; bitte den Zeitraum kürzen.",
        "en": "A repeating booking has at most {limit} occurrences; shorten the period.",
    },
    "series.nothing_created": {
        "de": "Kein Termin der Serienbuchung konnte angefragt werden (alle belegt oder durch Buchungsregeln "
              "ausgeschlossen).",
        "en": "No occurrence of the repeating booking could be requested (all taken or refused by booking rules).",
    },
    "series.not_found": {"de": "Serienbuchung nicht gefunden.", "en": "Repeating booking not found."},
    "draw.season_days": {
        "de": "Der letzte Tag muss nach dem ersten liegen.", "en": "The last day must not be before the first.",
    },
    "draw.season_too_long": {
        "de": "Ein umkämpfter Zeitraum dauert höchstens ein Jahr.", "en": "A contested season lasts at most a year.",
    },
    "draw.deadline_weekday": {
        "de": "Wochentag des Meldeschlusses: 1 (Montag) bis 7 (Sonntag).",
        "en": "The deadline's weekday: 1 (Monday) to 7 (Sunday).",
    },
    "draw.season_overlap": {
        "de": "Für dieses Gerät gibt es in diesem Zeitraum schon einen Verlosungszeitraum.",
        "en": "This item already has a contested season overlapping these days.",
    },
    "draw.busy": {
        "de": "Die Verlosung für dieses Gerät läuft gerade.", "en": "A draw of this item is running right now.",
    },
    "draw.none_due": {
        "de": "Für dieses Gerät ist keine Verlosung fällig (Meldeschluss noch nicht erreicht oder schon verlost).",
        "en": "No draw of this item is due (its deadline has not passed, or the week is drawn).",
    },
    "draw.already_run": {
        "de": "Diese Woche wurde bereits verlost.", "en": "This week has already been drawn.",
    },
    "draw.not_found": {"de": "Verlosung nicht gefunden.", "en": "Draw not found."},
    "draw.reason.won": {
        "de": "Verlosung Nr. {id} (Startwert {seed}): Der Zeitraum war noch frei, als Sie an der Reihe waren; "
              "zuvor {hours} Stunden im Verlosungszeitraum.",
        "en": "Draw no. {id} (seed {seed}): the period was still free when it was your turn; "
              "{hours} hours in the contested season before.",
    },
    "draw.reason.occupied": {
        "de": "Verlosung Nr. {id}: Der Zeitraum war schon vor der Verlosung belegt (Buchung oder Sperrzeit).",
        "en": "Draw no. {id}: the period was taken before the draw (booking or block).",
    },
    "draw.reason.own": {
        "de": "Verlosung Nr. {id}: überschneidet sich mit einer anderen Ihrer Anfragen, die den Zuschlag erhielt.",
        "en": "Draw no. {id}: overlaps another of your requests that won.",
    },
    "draw.reason.fewer_hours": {
        "de": "Verlosung Nr. {id}: Der Zeitraum ging an einen Betrieb mit weniger Stunden dieses Geräts im "
              "Verlosungszeitraum (Sie: {hours} Stunden).",
        "en": "Draw no. {id}: the period went to a farmer with fewer hours of this item this season "
              "(you: {hours} hours).",
    },
    "draw.reason.lot": {
        "de": "Verlosung Nr. {id}: Der Zeitraum ging bei gleicher Stundenzahl ({hours} Stunden) per Los "
              "(Startwert {seed}) an einen anderen Betrieb.",
        "en": "Draw no. {id}: with equal hours ({hours}) the lot (seed {seed}) gave the period to another farmer.",
    },
    # pages: repeating bookings and draws
    "series.title": {"de": "Serienbuchung", "en": "Repeating booking"},
    "series.form_title": {"de": "Serienbuchung anfragen", "en": "Request a repeating booking"},
    "series.weekdays_label": {"de": "Wochentage", "en": "Weekdays"},
    "series.first_day": {"de": "vom", "en": "from"},
    "series.last_day": {"de": "bis", "en": "until"},
    "series.submit": {"de": "Serie anfragen", "en": "Request series"},
    "series.created": {
        "de": "{count} Termine angefragt.", "en": "{count} occurrences requested.",
    },
    "series.conflicts": {"de": "Nicht angefragt (belegt)", "en": "Not requested (taken)"},
    "series.refused": {"de": "Nicht angefragt (Buchungsregel)", "en": "Not requested (booking rule)"},
    "series.cancel_all": {"de": "Alle offenen Termine stornieren", "en": "Cancel all open occurrences"},
    "series.cancelled": {"de": "Offene Termine der Serie storniert.", "en": "Open occurrences cancelled."},
    "series.occurrences": {"de": "Termine", "en": "Occurrences"},
    "series.hint": {
        "de": "Jeder Termin ist eine eigene Buchungsanfrage und wird einzeln entschieden; höchstens {limit} Termine.",
        "en": "Each occurrence is a request of its own, decided on its own; at most {limit} occurrences.",
    },
    "weekday.1": {"de": "Montag", "en": "Monday"},
    "weekday.2": {"de": "Dienstag", "en": "Tuesday"},
    "weekday.3": {"de": "Mittwoch", "en": "Wednesday"},
    "weekday.4": {"de": "Donnerstag", "en": "Thursday"},
    "weekday.5": {"de": "Freitag", "en": "Friday"},
    "weekday.6": {"de": "Samstag", "en": "Saturday"},
    "weekday.7": {"de": "Sonntag", "en": "Sunday"},
    "draw.title": {"de": "Verlosung (faire Zuteilung)", "en": "Fair draw"},
    "draw.result_title": {"de": "Ergebnis der Verlosung Nr. {id}", "en": "Result of draw no. {id}"},
    "draw.seasons": {"de": "Verlosungszeiträume", "en": "Contested seasons"},
    "draw.mark": {"de": "Verlosungszeitraum festlegen", "en": "Mark as contested"},
    "draw.first_day": {"de": "erster Tag", "en": "first day"},
    "draw.last_day": {"de": "letzter Tag", "en": "last day"},
    "draw.deadline": {"de": "Meldeschluss (Woche davor)", "en": "Deadline (the week before)"},
    "draw.deadline_time": {"de": "Uhrzeit des Meldeschlusses", "en": "Deadline time"},
    "draw.deadline_text": {"de": "{weekday} {time} Uhr für die Folgewoche", "en": "{weekday} {time} for the following week"},
    "draw.run": {"de": "Fällige Verlosung jetzt durchführen", "en": "Run the due draw now"},
    "draw.week": {"de": "Woche", "en": "Week"},
    "draw.seed": {"de": "Startwert (Zufallszahl)", "en": "Seed"},
    "draw.ran_at": {"de": "durchgeführt am", "en": "run at"},
    "draw.position": {"de": "Reihenfolge", "en": "Order"},
    "draw.season_hours": {"de": "Stunden im Verlosungszeitraum zuvor", "en": "Hours in the contested season before"},
    "draw.outcome": {"de": "Ergebnis", "en": "Outcome"},
    "draw.won": {"de": "Zuschlag", "en": "won"},
    "draw.lost": {"de": "kein Zuschlag", "en": "not won"},
    "draw.none": {"de": "Noch keine Verlosung.", "en": "No draw yet."},
    "draw.replays": {
        "de": "Nachprüfung: Mit dem Startwert neu berechnet ergibt sich dasselbe Ergebnis.",
        "en": "Check: recomputed from the seed, the result is the same.",
    },
    "draw.replay_differs": {
        "de": "Nachprüfung: Die Neuberechnung weicht ab!", "en": "Check: the recomputation differs!",
    },
    "draw.rule": {
        "de": "Zuerst kommt, wer dieses Gerät im Verlosungszeitraum bisher weniger Stunden hatte; bei "
              "Gleichstand entscheidet das Los aus dem veröffentlichten Startwert.",
        "en": "Whoever had fewer hours of this item this season comes first; on a tie the lot from the "
              "published seed decides.",
    },
    "draw.farmer_n": {"de": "Betrieb {n}", "en": "Farm {n}"},
    "draw.collecting": {"de": "wird verlost", "en": "in the draw"},
    "flash.contested_marked": {"de": "Der Verlosungszeitraum ist festgelegt.", "en": "The contested season is set."},
    "draw.ran": {"de": "Verlosung Nr. {id} durchgeführt.", "en": "Draw no. {id} done."},
}

# --- notices (``notifications.notices``): what the list "Mitteilungen" says ----------------------------
MESSAGES.update({
    "notice.booking_requested": {
        "de": "{farmer} fragt „{item}“ an: {period}.", "en": "{farmer} requests {item}: {period}.",
    },
    "notice.booking_approved": {
        "de": "Ihre Buchung „{item}“ ({period}) ist genehmigt.", "en": "Your booking of {item} ({period}) is approved.",
    },
    "notice.booking_rejected": {
        "de": "Ihre Buchungsanfrage „{item}“ ({period}) wurde abgelehnt: {reason}",
        "en": "Your request for {item} ({period}) was rejected: {reason}",
    },
    "notice.booking_cancelled": {
        "de": "Die Buchung „{item}“ ({period}) von {farmer} wurde storniert.",
        "en": "{farmer}'s booking of {item} ({period}) was cancelled.",
    },
    "notice.booking_offered": {
        "de": "Der Zeitraum Ihrer Warteliste-Anfrage „{item}“ ({period}) ist frei geworden. "
              "Bitte bis {expires} annehmen, sonst geht das Angebot weiter.",
        "en": "The period of your waiting-list request for {item} ({period}) came free. "
              "Accept it by {expires}, or the offer passes on.",
    },
    "notice.booking_draw_waiting": {
        "de": "Kein Zuschlag in der Verlosung für „{item}“ ({period}); Ihre Anfrage steht auf der Warteliste. {reason}",
        "en": "Your request for {item} ({period}) did not win the draw and is on the waiting list. {reason}",
    },
    "notice.booking_reminder": {
        "de": "Erinnerung: Morgen beginnt Ihre Buchung „{item}“ ({period}).",
        "en": "Reminder: your booking of {item} ({period}) starts tomorrow.",
    },
})
