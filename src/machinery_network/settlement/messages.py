MESSAGES = {
    "settlement.month_open": {
        "de": "Der Monat {month} ist noch nicht abgeschlossen und kann erst ab dem {first_day} abgerechnet werden.",
        "en": "Month {month} has not ended yet; it can be settled from {first_day}.",
    },
    "settlement.not_found": {
        "de": "Für {month} gibt es noch keine Abrechnung.",
        "en": "There is no settlement for {month} yet.",
    },
    "settlement.busy": {
        "de": "Diese Abrechnung läuft gerade in einem anderen Prozess.",
        "en": "This settlement is being run by another process.",
    },
}
