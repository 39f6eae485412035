MESSAGES = {
    "partners.not_partner": {
        "de": "Der Landwirt ist kein Vertragspartner dieser Gemeinde.",
        "en": "The farmer is not a contract partner of this municipality.",
    },
}
MESSAGES.update({
    "mandates.bad_reference": {
        "de": "Die Mandatsreferenz hat 1 bis 35 Zeichen (Buchstaben ohne Umlaute, Ziffern, + ? / : ( ) . , ' -).",
        "en": "reference: 1 to 35 characters of A-Z a-z 0-9 + ? / : ( ) . , ' - and blank, no leading or double slash.",
    },
    "mandates.signed_in_future": {
        "de": "Das Unterschriftsdatum liegt in der Zukunft.", "en": "signed_on lies in the future.",
    },
    "mandates.iban_required": {
        "de": "Für das Mandat wird eine IBAN gebraucht (der Landwirt hat keine hinterlegt).",
        "en": "The mandate needs an IBAN (the farmer has none on file).",
    },
    "mandates.reference_taken": {
        "de": "Die Mandatsreferenz {reference} ist bei dieser Gemeinde schon vergeben.",
        "en": "Mandate reference {reference} is already used by this municipality.",
    },
    "mandates.active_exists": {
        "de": "Der Landwirt hat bei dieser Gemeinde schon ein gültiges Mandat; widerrufen Sie es zuerst.",
        "en": "The farmer already has an active mandate with this municipality; revoke it first.",
    },
    "mandates.not_found": {"de": "Mandat nicht gefunden.", "en": "Mandate not found."},
    "mandates.already_revoked": {"de": "Das Mandat ist schon widerrufen.", "en": "The mandate is revoked already."},
})
MESSAGES.update({
    "mandates.title": {"de": "SEPA-Lastschriftmandate", "en": "SEPA direct-debit mandates"},
    "mandates.record": {"de": "Unterschriebenes Mandat erfassen", "en": "Record a signed mandate"},
    "mandates.record_hint": {
        "de": "Angaben vom unterschriebenen Mandatsformular übernehmen. Ohne IBAN wird die hinterlegte IBAN "
              "des Landwirts verwendet.",
        "en": "Copy the details from the signed form. Without an IBAN the farmer's IBAN on file is used.",
    },
    "mandates.farmer": {"de": "Landwirt (Vertragspartner)", "en": "Farmer (partner)"},
    "mandates.reference": {"de": "Mandatsreferenz", "en": "Mandate reference"},
    "mandates.signed_on": {"de": "Datum der Unterschrift", "en": "Date of signature"},
    "mandates.iban": {"de": "IBAN laut Mandat", "en": "IBAN on the mandate"},
    "mandates.iban_hint": {"de": "leer: IBAN des Landwirts", "en": "empty: the farmer's IBAN"},
    "mandates.save": {"de": "Mandat speichern", "en": "Save mandate"},
    "mandates.saved": {"de": "Gespeichert.", "en": "Saved."},
    "mandates.list": {"de": "Mandate dieser Gemeinde", "en": "This municipality's mandates"},
    "mandates.state": {"de": "Status", "en": "State"},
    "mandates.state.active": {"de": "gültig", "en": "active"},
    "mandates.state.revoked": {"de": "widerrufen", "en": "revoked"},
    "mandates.revoke": {"de": "Widerrufen", "en": "Revoke"},
    "mandates.amended_from": {"de": "geändert, bisher", "en": "amended, was"},
    "mandates.without": {"de": "Vertragspartner ohne gültiges Mandat", "en": "Partners without an active mandate"},
    "mandates.without_hint": {
        "de": "Diese Landwirte werden nicht per Lastschrift eingezogen; sie erscheinen als Ausnahme der "
              "Lastschriftdatei.",
        "en": "They are not debited; the debit file lists them as exceptions.",
    },
    "mandates.pick_farmer": {"de": "Bitte einen Landwirt wählen.", "en": "Pick a farmer."},
    "mandates.search": {"de": "Suche", "en": "Search"},
    "mandates.search_placeholder": {"de": "Mandatsreferenz oder Name", "en": "Mandate reference or name"},
    "mandates.state_all": {"de": "alle", "en": "all"},
})
MESSAGES.update({
    "mandates.scan_too_large": {
        "de": "Der Scan ist zu groß (höchstens {max} MB).", "en": "file: the scan is too large (at most {max} MB).",
    },
    "mandates.scan_empty": {"de": "Bitte eine Datei wählen.", "en": "file: no file was sent."},
    "mandates.scan_type": {
        "de": "Der Scan muss eine PDF-, JPEG- oder PNG-Datei sein.", "en": "file: the scan must be a PDF, JPEG or PNG.",
    },
    "mandates.scan_unreadable": {
        "de": "Das Bild des Scans lässt sich nicht lesen.", "en": "file: the scan's image cannot be read.",
    },
    "mandates.scan_missing": {"de": "Zu diesem Mandat ist kein Scan hinterlegt.", "en": "This mandate has no scan."},
    "mandates.scan": {"de": "Scan", "en": "Scan"},
    "mandates.scan_show": {"de": "Scan ansehen", "en": "View scan"},
    "mandates.scan_upload": {"de": "Scan hochladen", "en": "Upload scan"},
    "mandates.scan_hint": {
        "de": "Unterschriebenes Formular als PDF, JPEG oder PNG (höchstens {max} MB).",
        "en": "The signed form as PDF, JPEG or PNG (at most {max} MB).",
    },
    "mandates.scan_saved": {"de": "Scan gespeichert.", "en": "Scan saved."},
})
