"""Words at the machine: refusals (API English, forms German) and the pages."""

MESSAGES = {
    "machine.not_approved": {
        "de": "Übergabe und Rückgabe gibt es nur für genehmigte Buchungen.",
        "en": "Hand-over and return are only possible for an approved booking.",
    },
    "machine.too_early": {
        "de": "Die Übergabe ist frühestens {hours} Stunden vor Beginn der Buchung möglich.",
        "en": "The hand-over is possible at most {hours} hours before the booking's start.",
    },
    "machine.already_checked_out": {
        "de": "Das Gerät wurde für diese Buchung schon übergeben.",
        "en": "The machine has already been handed over for this booking.",
    },
    "machine.not_checked_out": {
        "de": "Das Gerät wurde für diese Buchung noch nicht übergeben.",
        "en": "The machine has not been handed over for this booking yet.",
    },
    "machine.already_checked_in": {
        "de": "Das Gerät wurde für diese Buchung schon zurückgegeben.",
        "en": "The machine has already been returned for this booking.",
    },
    "machine.meter_below_checkout": {
        "de": "Der Zählerstand liegt unter dem bei der Übergabe ({checkout}).",
        "en": "The meter reading is below the hand-over's ({checkout}).",
    },
    "machine.meter_backwards": {
        "de": "Der Zählerstand liegt unter dem zuletzt erfassten ({last}).",
        "en": "The meter reading is below the last one recorded ({last}).",
    },
    "machine.defect_needs_description": {
        "de": "Bitte den Schaden beschreiben.", "en": "A defect needs a description.",
    },
    "machine.too_many_photos": {
        "de": "Höchstens {max} Fotos.", "en": "At most {max} photos.",
    },
    "machine.signature_invalid": {
        "de": "Die Unterschrift konnte nicht gelesen werden. Bitte erneut unterschreiben.",
        "en": "The signature is not a PNG image.",
    },
    "machine.signature_required": {
        "de": "Bitte im Feld unterschreiben.", "en": "A signature is required.",
    },
    "machine.correction_needs_reason": {
        "de": "Die Menge weicht vom Vorschlag ({proposed}) ab: bitte einen Grund angeben.",
        "en": "The quantity differs from the proposal ({proposed}): a reason is required.",
    },
    "machine.photo_missing": {"de": "Foto nicht gefunden.", "en": "Photo not found."},
    "machine.affected_not_found": {
        "de": "Diese Buchung ist von keinem Schaden betroffen.", "en": "This booking is not affected by this defect.",
    },
    "machine.already_decided": {
        "de": "Über diese Buchung wurde schon entschieden.", "en": "This booking has already been decided on ({action}).",
    },
    "machine.move_needs_item": {"de": "Bitte ein Ersatzgerät wählen.", "en": "Moving needs the item_id of another item."},
    "machine.move_not_same_kind": {
        "de": "Das Ersatzgerät muss ein anderes, aktives Gerät derselben Art sein.",
        "en": "The other item must be an active item of the same kind and unit.",
    },
    "machine.move_taken": {
        "de": "{item} ist in diesem Zeitraum nicht frei.", "en": "{item} is not free in this period.",
    },
    "machine.unknown_action": {"de": "Unbekannte Aktion.", "en": "Unknown action."},
    "machine.surcharge_twice": {"de": "Jeder Zuschlag nur einmal.", "en": "Each surcharge once only."},
    "machine.surcharge_not_set": {
        "de": "Für dieses Gerät ist kein {kind} festgelegt.", "en": "This item has no {kind} set.",
    },
    "machine.defect_not_found": {"de": "Schaden nicht gefunden.", "en": "Defect not found."},
    "machine.damage_charged": {
        "de": "Für diesen Schaden wurde schon eine Schadensbelastung gebucht.",
        "en": "This defect has already been charged.",
    },
    "machine.damage_without_booking": {
        "de": "Dieser Schaden gehört zu keiner Buchung.", "en": "This defect belongs to no booking.",
    },
    "machine.interval_not_found": {"de": "Wartungsintervall nicht gefunden.", "en": "Maintenance interval not found."},
    "machine.no_free_day": {
        "de": "In den nächsten {days} Tagen ist kein Tag frei.", "en": "No free day within the next {days} days.",
    },
    # --- pages -------------------------------------------------------------------------------------
    "machine.title": {"de": "Übergabe und Rückgabe", "en": "Hand-over and return"},
    "machine.checkout": {"de": "Übergabe", "en": "Hand-over"},
    "machine.checkin": {"de": "Rückgabe", "en": "Return"},
    "machine.meter": {"de": "Zählerstand (Betriebsstunden)", "en": "Meter reading (hours)"},
    "machine.fuel": {"de": "Tankfüllung in %", "en": "Fuel level in %"},
    "machine.condition": {"de": "Zustand", "en": "Condition"},
    "machine.condition.ok": {"de": "in Ordnung", "en": "ok"},
    "machine.condition.remarks": {"de": "mit Anmerkungen", "en": "with remarks"},
    "machine.condition.defect": {"de": "Schaden", "en": "defect"},
    "machine.remarks": {"de": "Anmerkungen / Beschreibung des Schadens", "en": "Remarks / description"},
    "machine.usable": {"de": "Gerät ist trotz Schaden einsatzbereit", "en": "Still usable"},
    "machine.not_usable_hint": {
        "de": "Ohne Haken gilt das Gerät als nicht einsatzbereit: es wird sofort bis zur Reparatur gesperrt.",
        "en": "Unticked, the item is blocked until repaired.",
    },
    "machine.photos": {"de": "Fotos (höchstens 5)", "en": "Photos (at most 5)"},
    "machine.signature": {"de": "Unterschrift", "en": "Signature"},
    "machine.signature_clear": {"de": "Löschen", "en": "Clear"},
    "machine.save_checkout": {"de": "Übergabe bestätigen", "en": "Confirm hand-over"},
    "machine.save_checkin": {"de": "Rückgabe bestätigen", "en": "Confirm return"},
    "machine.done": {"de": "Übergabe und Rückgabe sind erfasst.", "en": "Hand-over and return are recorded."},
    "machine.hours_used": {"de": "Betriebsstunden", "en": "Operating hours"},
    "machine.proposed": {"de": "Vorgeschlagene Menge", "en": "Proposed quantity"},
    "machine.to_completion": {"de": "Zum Abschluss der Buchung", "en": "Complete the booking"},
    "machine.not_yet": {
        "de": "Die Übergabe ist frühestens {hours} Stunden vor Beginn möglich.",
        "en": "The hand-over opens {hours} hours before the start.",
    },
    "machine.signed_at": {"de": "unterschrieben am {at}", "en": "signed at {at}"},
    "machine.blocked_notice": {
        "de": "Das Gerät ist bis zur Reparatur gesperrt; {count} betroffene Buchung(en) wurden benachrichtigt.",
        "en": "The item is blocked until repaired; {count} affected booking(s) were notified.",
    },
    "machine.correction_reason": {
        "de": "Grund, falls die Menge vom Vorschlag abweicht", "en": "Reason if the quantity differs",
    },
    "machine.affected_title": {"de": "Betroffene Buchungen (Schaden)", "en": "Bookings affected by defects"},
    "machine.affected_none": {"de": "Keine offenen betroffenen Buchungen.", "en": "No open affected bookings."},
    "machine.move": {"de": "Umbuchen auf", "en": "Move to"},
    "machine.keep": {"de": "Behalten und warten", "en": "Keep and wait"},
    "machine.cancel": {"de": "Stornieren", "en": "Cancel"},
    "machine.no_alternative": {"de": "kein freies Ersatzgerät", "en": "no free alternative"},
    "machine.action.moved": {"de": "umgebucht", "en": "moved"},
    "machine.action.kept": {"de": "bleibt bestehen", "en": "kept"},
    "machine.action.cancelled": {"de": "storniert", "en": "cancelled"},
    "flash.affected_decided": {"de": "Entschieden; der Landwirt wurde benachrichtigt.", "en": "Decided; the farmer was told."},
    "machine.surcharge.fuel": {"de": "Tankzuschlag buchen ({amount})", "en": "Post fuel surcharge ({amount})"},
    "machine.surcharge.cleaning": {
        "de": "Reinigungszuschlag buchen ({amount})", "en": "Post cleaning surcharge ({amount})",
    },
    "machine.maintenance_due": {"de": "Wartung fällig", "en": "Maintenance due"},
    "machine.maintenance_next": {"de": "nächste: {at}", "en": "next: {at}"},
    "machine.maintenance_next_hours": {"de": "bei {meter} Betriebsstunden (jetzt {now})", "en": "at {meter} h (now {now})"},
    "machine.overdue": {"de": "überfällig", "en": "overdue"},
    "machine.plan": {"de": "Wartung einplanen", "en": "Plan maintenance"},
    "machine.done_now": {"de": "Erledigt", "en": "Done"},
    "flash.maintenance_planned": {"de": "Wartung eingeplant (Sperrzeit angelegt).", "en": "Maintenance planned."},
    "flash.maintenance_done": {"de": "Wartung als erledigt vermerkt.", "en": "Maintenance marked done."},
    "machine.history": {"de": "Maschinenakte", "en": "Machine history"},
    "machine.history_csv": {"de": "Als CSV herunterladen", "en": "Download CSV"},
    "machine.bookings": {"de": "Buchungen", "en": "Bookings"},
    "machine.hours_by_month": {"de": "Betriebsstunden je Monat", "en": "Operating hours per month"},
    "machine.defects": {"de": "Schäden", "en": "Defects"},
    "machine.repairs": {"de": "Reparaturen", "en": "Repairs"},
    "machine.maintenance": {"de": "Wartung", "en": "Maintenance"},
    "machine.revenue": {"de": "Umsatz", "en": "Revenue"},
    "machine.revenue_line": {
        "de": "Buchungen {bookings} · Zuschläge {surcharges} · Schadensbelastungen {damages} · Reparaturkosten {repairs}",
        "en": "Bookings {bookings} · surcharges {surcharges} · damage charges {damages} · repair costs {repairs}",
    },
    "machine.usable_yes": {"de": "einsatzbereit", "en": "usable"},
    "machine.blocked": {"de": "gesperrt", "en": "blocked"},
    "machine.repaired": {"de": "repariert", "en": "repaired"},
    "machine.every": {"de": "alle {what}", "en": "every {what}"},
    "machine.last_done": {"de": "zuletzt {at}", "en": "last {at}"},
    "machine.none": {"de": "Keine Einträge.", "en": "None."},
    "machine.link": {"de": "Übergabe / Rückgabe", "en": "Hand-over / return"},
    "flash.checkout_saved": {"de": "Übergabe erfasst.", "en": "Hand-over recorded."},
    "flash.checkin_saved": {"de": "Rückgabe erfasst.", "en": "Return recorded."},
}

# --- notices (``notifications.notices``) ----------------------------------------------------------------
MESSAGES.update({
    "notice.booking_defect": {
        "de": "„{item}“ ist seit {since} nicht einsatzbereit ({description}). Ihre Buchung {period} ist betroffen; "
              "der Bauhof meldet sich.",
        "en": "{item} has been out of service since {since} ({description}). Your booking {period} is affected; "
              "the building yard will get in touch.",
    },
    "notice.booking_moved": {
        "de": "„{item}“ ist nicht einsatzbereit: Ihre Buchung {period} wurde auf „{target}“ umgebucht.",
        "en": "{item} is out of service: your booking {period} was moved to {target}.",
    },
    "notice.booking_kept": {
        "de": "„{item}“ ist nicht einsatzbereit: Ihre Buchung {period} bleibt bis zur Reparatur bestehen.",
        "en": "{item} is out of service: your booking {period} is kept until the repair.",
    },
    "notice.booking_defect_cancelled": {
        "de": "„{item}“ ist nicht einsatzbereit: Ihre Buchung {period} wurde storniert; es entstehen keine Kosten.",
        "en": "{item} is out of service: your booking {period} was cancelled at no cost.",
    },
})

MESSAGES.update({
    "machine.photo_base64": {
        "de": "Ein Foto ist kein gültiger Base64-Text.", "en": "photos: each photo must be base64 text (or a data URL).",
    },
})

# What the meter counts, per item (``items.meter_kind``): the pages and the history say it.
MESSAGES.update({
    "machine.meter.hours": {"de": "Zählerstand (Betriebsstunden)", "en": "Meter reading (hours)"},
    "machine.meter.km": {"de": "Kilometerstand", "en": "Odometer reading (km)"},
    "machine.used.hours": {"de": "Betriebsstunden", "en": "Operating hours"},
    "machine.used.km": {"de": "Gefahrene Kilometer", "en": "Kilometres driven"},
    "machine.by_month.hours": {"de": "Betriebsstunden je Monat", "en": "Operating hours per month"},
    "machine.by_month.km": {"de": "Kilometer je Monat", "en": "Kilometres per month"},
    "item.meter_kind": {"de": "Zähler", "en": "Meter"},
    "item.meter_kind.hours": {"de": "Betriebsstunden", "en": "Operating hours"},
    "item.meter_kind.km": {"de": "Kilometerstand", "en": "Odometer (km)"},
})
