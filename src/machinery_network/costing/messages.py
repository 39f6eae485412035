"""Words of costing (cost price by the KTBL method, cost coverage)."""

MESSAGES = {
    "costing.valid_from_future": {
        "de": "Ein neuer Satz gilt ab heute oder einem früheren Tag, nicht erst künftig.",
        "en": "An adopted rate takes effect today or on an earlier day, not in the future.",
    },
    "costing.valid_from_before_last": {
        "de": "Der neue Satz kann nicht vor der letzten Kalkulation ({last}) gelten.",
        "en": "The new rate cannot take effect before the last calculation ({last}).",
    },
}
