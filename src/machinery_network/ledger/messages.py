MESSAGES = {
    "ledger.amount_zero": {"de": "Der Betrag darf nicht null sein.", "en": "amount_cents must not be 0."},
    "ledger.entry_not_found": {"de": "Buchung im Konto nicht gefunden.", "en": "Ledger entry not found."},
    "ledger.already_reversed": {
        "de": "Dieser Posten wurde schon storniert.", "en": "This entry has been reversed already.",
    },
    "ledger.text.charge": {"de": "Nutzung {item}", "en": "Use of {item}"},
    "ledger.text.credit": {"de": "Pflege {section}", "en": "Care work on {section}"},
    "ledger.text.adjustment": {"de": "Korrektur: {reason}", "en": "Adjustment: {reason}"},
    "ledger.text.reversal": {"de": "Storno von Posten {entry}: {reason}", "en": "Reversal of entry {entry}: {reason}"},
    "entry.kind.charge": {"de": "Belastung", "en": "charge"},
    "entry.kind.credit": {"de": "Gutschrift", "en": "credit"},
    "entry.kind.reversal": {"de": "Storno", "en": "reversal"},
    "entry.kind.adjustment": {"de": "Korrektur", "en": "adjustment"},
}
MESSAGES.update({
    "ledger.amount_too_large": {
        "de": "Der Betrag ist zu groß (höchstens 10.000.000 €).", "en": "amount_cents is too large.",
    },
    "ledger.reason_required": {"de": "Bitte einen Grund angeben.", "en": "reason is required."},
    "ledger.reason_too_long": {
        "de": "Der Grund darf höchstens {max} Zeichen lang sein.", "en": "reason must be at most {max} characters.",
    },
    "ledger.reverse_reversal": {
        "de": "Ein Storno kann nicht storniert werden; bitte eine Korrektur buchen.",
        "en": "A reversal cannot be reversed; post an adjustment instead.",
    },
    "ledger.reverse_zero": {"de": "Ein Posten über 0 € kann nicht storniert werden.",
                            "en": "An entry of 0 cents cannot be reversed."},
})
