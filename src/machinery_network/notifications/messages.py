"""German texts of the notification e-mails (the recipients are farmers and building-yard heads)."""

MESSAGES = {
    "approved": {
        "subject": "Buchung genehmigt: {item}, {period}",
        "body": (
            "Guten Tag {name},\n\n"
            "der Bauhof {municipality} hat Ihre Buchung genehmigt.\n\n"
            "Gerät/Leistung: {item}\n"
            "Zeitraum: {period}\n"
            "{estimate}"
            "\nIhre Buchungen: {base_url}/bookings\n\n"
            "Mit freundlichen Grüßen\nIhr Maschinen- und Pflegenetzwerk\n"
        ),
    },
    "rejected": {
        "subject": "Buchung abgelehnt: {item}, {period}",
        "body": (
            "Guten Tag {name},\n\n"
            "der Bauhof {municipality} hat Ihre Buchungsanfrage leider abgelehnt.\n\n"
            "Gerät/Leistung: {item}\n"
            "Zeitraum: {period}\n"
            "Begründung: {reason}\n"
            "\nIhre Buchungen: {base_url}/bookings\n\n"
            "Mit freundlichen Grüßen\nIhr Maschinen- und Pflegenetzwerk\n"
        ),
    },
    "cancelled": {
        "subject": "Buchung storniert: {item}, {period}",
        "body": (
            "Guten Tag {name},\n\n"
            "die Buchung von {farmer} wurde storniert.\n\n"
            "Gerät/Leistung: {item}\n"
            "Zeitraum: {period}\n"
            "\n{base_url}/bookings\n\n"
            "Mit freundlichen Grüßen\nIhr Maschinen- und Pflegenetzwerk\n"
        ),
    },
    "requested": {
        "subject": "Neue Buchungsanfrage: {item}, {period}",
        "body": (
            "Guten Tag {name},\n\n"
            "{farmer} fragt an:\n\n"
            "Gerät/Leistung: {item}\n"
            "Zeitraum: {period}\n"
            "{estimate}"
            "{note}"
            "\nZur Entscheidung: {base_url}/manage/bookings/{id}\n\n"
            "Mit freundlichen Grüßen\nIhr Maschinen- und Pflegenetzwerk\n"
        ),
    },
    "estimate": {"line": "Kostenschätzung: {amount} (brutto)\n"},
    "note": {"line": "Bemerkung: {note}\n"},
}
