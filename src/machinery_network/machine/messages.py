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
}
