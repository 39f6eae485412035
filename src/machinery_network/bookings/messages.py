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
        "de": "Für diese Buchung liegt kein Angebot von der Warteliste vor (Status: {status}).",
        "en": "This booking has no offer from the waiting list (status: {status}).",
    },
    "booking.offer_expired": {
        "de": "Das Angebot von der Warteliste ist abgelaufen.", "en": "The offer from the waiting list has expired.",
    },
    "booking.not_requested": {
        "de": "Die Buchung ist nicht mehr offen (Status: {status}).",
        "en": "The booking is not open for a decision (status: {status}).",
    },
    "booking.not_cancellable": {
        "de": "Diese Buchung kann nicht mehr storniert werden (Status: {status}).",
        "en": "This booking cannot be cancelled (status: {status}).",
    },
    "booking.already_started": {
        "de": "Die Buchung hat bereits begonnen und kann nicht mehr storniert werden.",
        "en": "The booking has already started and can no longer be cancelled.",
    },
    "booking.not_approved": {
        "de": "Nur genehmigte Buchungen können abgeschlossen werden (Status: {status}).",
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
    # --- pages -----------------------------------------------------------------------------------
    "bookings.title": {"de": "Meine Buchungen", "en": "My bookings"},
    "bookings.inbox": {"de": "Buchungsanfragen", "en": "Booking requests"},
    "bookings.item": {"de": "Gerät / Leistung", "en": "Item"},
    "bookings.farmer": {"de": "Landwirt", "en": "Farmer"},
    "bookings.period": {"de": "Zeitraum", "en": "Period"},
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
    "notice.booking_reminder": {
        "de": "Erinnerung: Morgen beginnt Ihre Buchung „{item}“ ({period}).",
        "en": "Reminder: your booking of {item} ({period}) starts tomorrow.",
    },
})
