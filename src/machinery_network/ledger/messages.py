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
    "ledger.value_date_out_of_range": {
        "de": "Das Wertstellungsdatum muss zwischen dem {earliest} und dem {latest} liegen.",
        "en": "value_date must lie between {earliest} and {latest}.",
    },
    "ledger.reverse_zero": {"de": "Ein Posten über 0 € kann nicht storniert werden.",
                            "en": "An entry of 0 cents cannot be reversed."},
})
MESSAGES.update({
    "ledger.account_title": {"de": "Mein Konto", "en": "My account"},
    "ledger.account_of": {"de": "Konto von {name}", "en": "Account of {name}"},
    "ledger.balance": {"de": "Kontostand", "en": "Balance"},
    "ledger.balance_hint": {
        "de": "Positiv: Sie schulden der Gemeinde diesen Betrag; negativ: die Gemeinde zahlt Ihnen aus.",
        "en": "Positive: you owe; negative: the municipality pays out.",
    },
    "ledger.staff_balance_hint": {
        "de": "Positiv: der Landwirt schuldet der Gemeinde; negativ: Guthaben des Landwirts.",
        "en": "Positive: the farmer owes; negative: the farmer's credit.",
    },
    "ledger.unsettled": {"de": "davon noch nicht abgerechnet", "en": "not yet settled"},
    "ledger.entries": {"de": "Kontobewegungen", "en": "Entries"},
    "ledger.value_date": {"de": "Leistungsdatum", "en": "Value date"},
    "ledger.kind": {"de": "Art", "en": "Kind"},
    "ledger.text": {"de": "Text", "en": "Text"},
    "ledger.amount": {"de": "Betrag", "en": "Amount"},
    "ledger.settlement": {"de": "Abrechnung", "en": "Settlement"},
    "ledger.open": {"de": "offen", "en": "open"},
    "ledger.none": {"de": "Noch keine Buchungen.", "en": "No entries yet."},
    "ledger.adjust_title": {"de": "Korrektur buchen", "en": "Post an adjustment"},
    "ledger.adjust_hint": {
        "de": "Positiver Betrag: Belastung des Landwirts (z. B. Schaden, Diesel); negativer Betrag: Gutschrift.",
        "en": "Positive: a charge; negative: a credit.",
    },
    "ledger.amount_eur": {"de": "Betrag in €", "en": "Amount in €"},
    "ledger.reason": {"de": "Grund", "en": "Reason"},
    "ledger.post": {"de": "Buchen", "en": "Post"},
    "ledger.reverse": {"de": "Stornieren", "en": "Reverse"},
    "ledger.reversed": {"de": "storniert", "en": "reversed"},
    "ledger.posted": {"de": "Die Buchung wurde erfasst.", "en": "Entry posted."},
    "ledger.farmers_title": {"de": "Konten der Landwirte", "en": "Farmers' accounts"},
    "ledger.open_account": {"de": "Konto öffnen", "en": "Open account"},
})
MESSAGES["ledger.nav_accounts"] = {"de": "Konten", "en": "Accounts"}
MESSAGES["statement.document"] = {"de": "Kontoauszug", "en": "Statement"}
MESSAGES["statement.pdf"] = {"de": "PDF", "en": "PDF"}
