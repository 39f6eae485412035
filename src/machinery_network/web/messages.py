"""Words of the page frame, login and navigation."""

MESSAGES = {
    "app.name": {"de": "Maschinen- und Pflegenetzwerk", "en": "Machinery and care network"},
    "app.title": {"de": "Gemeinsam mehr bewegen", "en": "Sharing building-yard machinery"},
    "nav.catalogue": {"de": "Geräte & Leistungen", "en": "Catalogue"},
    "nav.my_bookings": {"de": "Meine Buchungen", "en": "My bookings"},
    "nav.my_sections": {"de": "Meine Pflegeabschnitte", "en": "My sections"},
    "nav.my_account": {"de": "Mein Konto", "en": "My account"},
    "nav.inbox": {"de": "Buchungsanfragen", "en": "Booking requests"},
    "nav.my_items": {"de": "Unsere Geräte", "en": "Our items"},
    "nav.sections": {"de": "Abschnitte", "en": "Sections"},
    "nav.care_inbox": {"de": "Pflegemeldungen", "en": "Care reports"},
    "nav.settlements": {"de": "Abrechnungen", "en": "Settlements"},
    "nav.logout": {"de": "Abmelden", "en": "Log out"},
    "role.admin": {"de": "Verwaltung", "en": "admin"},
    "role.yard_head": {"de": "Bauhofleitung", "en": "yard head"},
    "role.finance": {"de": "Kämmerei", "en": "finance"},
    "role.farmer": {"de": "Landwirt", "en": "farmer"},
    "login.title": {"de": "Anmelden", "en": "Log in"},
    "login.intro": {
        "de": "Geräte der Bauhöfe zum Selbstkostenpreis buchen, Pflegearbeiten melden, Abrechnungen einsehen.",
        "en": "Book building-yard machinery at cost price, report care work, see settlements.",
    },
    "login.email": {"de": "E-Mail", "en": "E-mail"},
    "login.password": {"de": "Passwort", "en": "Password"},
    "login.submit": {"de": "Anmelden", "en": "Log in"},
    "error.title": {"de": "Das hat nicht geklappt", "en": "That did not work"},
    "error.back": {"de": "Zur Startseite", "en": "Back to the start page"},
    "form.save": {"de": "Speichern", "en": "Save"},
    "form.cancel": {"de": "Abbrechen", "en": "Cancel"},
    "common.municipality": {"de": "Gemeinde", "en": "Municipality"},
    "common.all": {"de": "alle", "en": "all"},
    "common.search": {"de": "Suche", "en": "Search"},
    "common.filter": {"de": "Filtern", "en": "Filter"},
    "common.none": {"de": "Keine Einträge.", "en": "Nothing here."},
    "common.actions": {"de": "Aktionen", "en": "Actions"},
    # success messages after a form post (web.common.redirect's ``flash``)
    "flash.booking_approved": {"de": "Die Buchungsanfrage ist genehmigt.", "en": "The booking request is approved."},
    "flash.booking_rejected": {"de": "Die Buchungsanfrage ist abgelehnt.", "en": "The booking request is rejected."},
    "flash.booking_completed": {"de": "Die Buchung ist abgeschlossen, die Nutzung erfasst.",
                                "en": "The booking is completed, the use recorded."},
    "flash.booking_cancelled": {"de": "Die Buchung ist storniert.", "en": "The booking is cancelled."},
    "flash.item_created": {"de": "Das Angebot ist angelegt.", "en": "The item is created."},
    "flash.item_saved": {"de": "Die Änderungen am Angebot sind gespeichert.", "en": "The item's changes are saved."},
    "flash.block_created": {"de": "Die Sperrzeit ist eingetragen.", "en": "The block is saved."},
    "flash.block_deleted": {"de": "Die Sperrzeit ist gelöscht.", "en": "The block is deleted."},
    # page frame and accessibility (BITV 2.0)
    "nav.menu": {"de": "Menü", "en": "Menu"},
    "nav.label": {"de": "Hauptmenü", "en": "Main menu"},
    "a11y.skip": {"de": "Zum Inhalt springen", "en": "Skip to content"},
    "a11y.statement_link": {"de": "Erklärung zur Barrierefreiheit", "en": "Accessibility statement"},
    "a11y.statement_title": {"de": "Erklärung zur Barrierefreiheit", "en": "Accessibility statement"},
    "a11y.statement_scope": {
        "de": "Die Gemeinden des Netzwerks sind bemüht, dieses Angebot im Einklang mit der "
              "Barrierefreie-Informationstechnik-Verordnung (BITV 2.0) und den Anforderungen der "
              "WCAG 2.1 auf Stufe AA barrierefrei zugänglich zu machen. Diese Erklärung gilt für "
              "alle Seiten unter {base_url}.",
        "en": "The network's municipalities strive to make this service accessible in line with the German "
              "BITV 2.0 and WCAG 2.1 level AA. This statement covers every page under {base_url}.",
    },
    "a11y.statement_status_title": {"de": "Stand der Vereinbarkeit", "en": "Compliance status"},
    "a11y.statement_status": {
        "de": "Dieses Angebot ist weitgehend mit der BITV 2.0 vereinbar. Jede Seite wird in automatischen "
              "Tests bei 360 und 1280 Pixel Breite mit axe-core geprüft; die Seiten lassen sich ohne "
              "seitliches Blättern auf dem Telefon und vollständig mit der Tastatur bedienen.",
        "en": "This service largely complies with BITV 2.0. Every page is checked by automated tests at "
              "360 and 1280 pixels width with axe-core; pages work on a phone without sideways scrolling "
              "and entirely with the keyboard.",
    },
    "a11y.statement_limits_title": {"de": "Nicht barrierefreie Inhalte", "en": "Content that is not accessible"},
    "a11y.statement_limits": {
        "de": "Die Karte der Pflegeabschnitte ist eine Grafik; dieselben Abschnitte stehen als Liste auf "
              "der Seite „Abschnitte“. PDF-Abrechnungen sind noch nicht als barrierefreies PDF "
              "(PDF/UA) ausgezeichnet; ihre Angaben stehen auch auf der Seite „Mein Konto“.",
        "en": "The map of care sections is a picture; the same sections are listed on the page "
              "\u201cSections\u201d. PDF statements are not yet tagged as accessible PDF (PDF/UA); their "
              "figures are also on the page \u201cMy account\u201d.",
    },
    "a11y.statement_feedback_title": {"de": "Feedback und Kontakt", "en": "Feedback and contact"},
    "a11y.statement_feedback": {
        "de": "Sind Ihnen Mängel beim barrierefreien Zugang aufgefallen? Dann schreiben Sie uns bitte:",
        "en": "Have you noticed barriers? Please write to us:",
    },
    "a11y.statement_enforcement_title": {"de": "Durchsetzungsverfahren", "en": "Enforcement procedure"},
    "a11y.statement_enforcement": {
        "de": "Wenn Sie auf Ihre Rückmeldung innerhalb von sechs Wochen keine zufriedenstellende Antwort "
              "erhalten, können Sie sich an die Schlichtungsstelle nach dem Behindertengleichstellungsgesetz "
              "oder die Durchsetzungsstelle Ihres Landes wenden:",
        "en": "If you receive no satisfactory answer within six weeks, you may turn to the arbitration "
              "board under the German Disability Equality Act or your state's enforcement body:",
    },
    "a11y.statement_date": {"de": "Diese Erklärung wurde am {date} erstellt.", "en": "Statement prepared on {date}."},
    "a11y.error_summary": {"de": "Bitte korrigieren Sie:", "en": "Please correct:"},
    "a11y.confirm_title": {"de": "Wirklich fortfahren?", "en": "Really go on?"},
    "a11y.confirm_yes": {"de": "Ja, fortfahren", "en": "Yes, go on"},
    # error pages (the JSON API keeps English)
    "error.bad_request": {"de": "Die Anfrage ist ungültig.", "en": "Bad request."},
    "error.method": {"de": "Diese Seite nimmt diese Anfrage nicht an.", "en": "Method not allowed."},
    "error.too_large": {
        "de": "Die gesendete Datei ist zu groß (höchstens {size}). Bitte wählen Sie ein kleineres Foto.",
        "en": "The file sent is too large (at most {size}). Please pick a smaller photo.",
    },
    "error.too_many": {"de": "Zu viele Anfragen. Bitte warten Sie kurz.", "en": "Too many requests; wait a moment."},
    "error.internal": {
        "de": "Interner Fehler. Bitte versuchen Sie es später erneut.",
        "en": "Internal error. Please try again later.",
    },
    # confirmation steps of destructive actions
    "confirm.cancel_booking": {"de": "Diese Buchung wirklich stornieren?", "en": "Really cancel this booking?"},
    "confirm.cancel_booking_yes": {"de": "Ja, stornieren", "en": "Yes, cancel"},
    "confirm.delete_block": {"de": "Sperrzeit löschen", "en": "Delete block"},
    "confirm.delete_block_question": {"de": "Diese Sperrzeit wirklich löschen?", "en": "Really delete this block?"},
    "confirm.delete_block_yes": {"de": "Ja, löschen", "en": "Yes, delete"},
    "confirm.reverse_entry": {
        "de": "Diesen Buchungsposten wirklich stornieren? Dabei entsteht ein Gegenposten.",
        "en": "Really reverse this ledger entry? A counter-entry is recorded.",
    },
    "confirm.reverse_entry_yes": {"de": "Ja, stornieren", "en": "Yes, reverse"},
    "confirm.reject_booking": {"de": "Die Buchungsanfrage ablehnen? Der Landwirt erhält den Grund.",
                               "en": "Reject the booking request? The farmer is told the reason."},
    "confirm.reject_booking_yes": {"de": "Ja, ablehnen", "en": "Yes, reject"},
    "confirm.reject_care": {"de": "Die Pflegemeldung ablehnen? Der Landwirt erhält den Grund.",
                            "en": "Reject the care report? The farmer is told the reason."},
    "confirm.reject_care_yes": {"de": "Ja, ablehnen", "en": "Yes, reject"},
    "confirm.deactivate": {
        "de": "{name} wirklich deaktivieren? Die Person kann sich danach nicht mehr anmelden.",
        "en": "Really deactivate {name}? They can no longer log in.",
    },
    "confirm.deactivate_yes": {"de": "Ja, deaktivieren", "en": "Yes, deactivate"},
    "a11y.scroll_table": {"de": "Tabelle (seitlich verschiebbar)", "en": "Table (scrolls sideways)"},
    "offline.title": {"de": "Keine Verbindung", "en": "No connection"},
    "offline.text": {
        "de": "Diese Seite braucht eine Internetverbindung. Bitte versuchen Sie es erneut, sobald Sie wieder "
              "Empfang haben.",
        "en": "This page needs a connection. Please try again once you are back online.",
    },
    "offline.retry": {"de": "Erneut versuchen", "en": "Try again"},
    # The outbox of the phone pages: care reports and returns saved without a connection (app.js).
    "offline.queued": {
        "de": "Gespeichert – wird gesendet, sobald Sie wieder online sind.",
        "en": "Saved – it will be sent once you are back online.",
    },
    "offline.waiting_one": {"de": "1 Meldung wartet auf das Senden.", "en": "1 report is waiting to be sent."},
    "offline.waiting_many": {"de": "{n} Meldungen warten auf das Senden.", "en": "{n} reports are waiting to be sent."},
    "offline.sent_one": {"de": "1 gespeicherte Meldung wurde gesendet.", "en": "1 saved report was sent."},
    "offline.sent_many": {"de": "{n} gespeicherte Meldungen wurden gesendet.", "en": "{n} saved reports were sent."},
    "offline.refused": {
        "de": "Eine gespeicherte Meldung wurde nicht angenommen: {reason}",
        "en": "A saved report was not accepted: {reason}",
    },
    "offline.refused_open": {"de": "Im Formular öffnen", "en": "Open in the form"},
    "offline.refused_drop": {"de": "Verwerfen", "en": "Discard"},
    "offline.login": {
        "de": "Bitte melden Sie sich an; danach werden die gespeicherten Meldungen gesendet.",
        "en": "Please log in; the saved reports are sent afterwards.",
    },
    "offline.send_now": {"de": "Jetzt senden", "en": "Send now"},
    "offline.open_care": {"de": "Pflegearbeit melden", "en": "Report care work"},
    "offline.other_user": {
        "de": "Diese Meldung wurde unter einer anderen Anmeldung gespeichert und wird hier nicht gesendet. Bitte "
              "melden Sie sich mit dem Zugang an, mit dem sie erfasst wurde.",
        "en": "This report was saved under another login and is not sent here; log in as the user who made it.",
    },
    "nav.waiting": {"de": "offen", "en": "waiting"},
    "photo.too_large": {
        "de": "Das Foto ist auch verkleinert größer als {max} MB. Bitte wählen Sie ein anderes Foto; Ihre übrigen "
              "Eingaben bleiben erhalten.",
        "en": "The photo is larger than {max} MB even when scaled down. Please pick another one; everything "
              "else you typed stays.",
    },
    "photo.too_many": {"de": "Höchstens {max} Fotos.", "en": "At most {max} photos."},
    "photo.scaling": {"de": "Das Foto wird verkleinert …", "en": "Scaling the photo down …"},
}

MESSAGES.update({
    "page.limit": {
        "de": "Die Seitengröße (limit) muss eine ganze Zahl von 1 bis {max} sein.",
        "en": "limit must be a whole number from 1 to {max}.",
    },
    "page.cursor": {
        "de": "Der Verweis auf die nächste Seite (cursor) ist ungültig; bitte die Liste neu laden.",
        "en": "cursor is not valid for this list; start again from the first page.",
    },
    "page.next": {"de": "Weitere Einträge", "en": "More"},
    "page.first": {"de": "Zum Anfang der Liste", "en": "Back to the start"},
    "page.nav": {"de": "Weitere Seiten der Liste", "en": "More pages of the list"},
    "page.search_farmer": {"de": "Name oder E-Mail des Landwirts", "en": "Farmer's name or e-mail"},
    "page.search_user": {"de": "Name oder E-Mail", "en": "Name or e-mail"},
    "page.sort": {
        "de": "Diese Sortierung (sort) gibt es für diese Liste nicht; möglich sind: {allowed}.",
        "en": "sort must be one of: {allowed}.",
    },
    "list.sort": {"de": "Sortierung", "en": "Order"},
    "field.at_least": {"de": "Mindestens {limit}.", "en": "At least {limit}."},
    "field.greater_than": {"de": "Muss größer als {limit} sein.", "en": "Must be greater than {limit}."},
    "field.at_most": {"de": "Höchstens {limit}.", "en": "At most {limit}."},
    "field.less_than": {"de": "Muss kleiner als {limit} sein.", "en": "Must be less than {limit}."},
    "list.ascending": {"de": "aufsteigend", "en": "ascending"},
    "list.descending": {"de": "absteigend", "en": "descending"},
    "list.page_size": {"de": "Einträge je Seite", "en": "Rows per page"},
    "list.show": {"de": "Anzeigen", "en": "Show"},
})
