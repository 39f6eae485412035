MESSAGES = {
    "exports.unknown_format": {
        "de": "Unbekanntes Exportformat „{format}“; möglich sind: {formats}.",
        "en": "Unknown export format '{format}'; use one of: {formats}.",
    },
    "exports.farmer_not_settled": {
        "de": "Für den Landwirt {farmer_id} gibt es in der Abrechnung {month} keine Buchungen.",
        "en": "Farmer {farmer_id} has no line in the settlement of {month}.",
    },
    "exports.farmer_only_pdf": {
        "de": "Eine Einzelabrechnung für einen Landwirt gibt es nur als PDF.",
        "en": "A single farmer's statement is only available as PDF (format=pdf).",
    },
    "exports.sepa_missing": {
        "de": "Für SEPA-Dateien fehlen bei der Gemeinde {name}: {missing_de}.",
        "en": "The SEPA export needs the municipality's bank details; {name} lacks: {missing}.",
    },
    "exports.sepa_empty_debit": {
        "de": "In der Abrechnung {month} gibt es keine Lastschrift einzuziehen ({exceptions} Ausnahmen).",
        "en": "The settlement of {month} has no direct debit to collect ({exceptions} exceptions).",
    },
    "exports.sepa_empty_credit": {
        "de": "In der Abrechnung {month} gibt es keine Gutschrift auszuzahlen ({exceptions} Ausnahmen).",
        "en": "The settlement of {month} has no payout to transfer ({exceptions} exceptions).",
    },
    "exports.sepa_invalid": {
        "de": "Die SEPA-Datei verletzt das XML-Schema: {reason}",
        "en": "The SEPA file does not validate against its schema: {reason}",
    },
    "exports.datev_vat_rate": {
        "de": "Für den Steuersatz {rate} % ist kein DATEV-Erlöskonto eingerichtet: bitte in den Bank-/DATEV-"
              "Einstellungen der Gemeinde Konto und BU-Schlüssel dafür eintragen.",
        "en": "No DATEV revenue account for the VAT rate {rate} %: set its account and BU key in the "
              "municipality's DATEV settings (datev_vat_accounts).",
    },
    "exports.datev_debtor_range": {
        "de": "Das Debitorenkonto {account} liegt außerhalb des Debitorenbereichs der Gemeinde ({low} bis "
              "{high}); bitte den Bereich (oder die Sachkontenlänge) in den DATEV-Einstellungen erweitern.",
        "en": "Debtor account {account} lies outside the municipality's debtor range {low}–{high}; widen the "
              "range (or the account length) in its DATEV settings (PATCH /municipalities/{{id}}).",
    },
    "exports.datev_account_length": {
        "de": "Das DATEV-Konto {account} hat mehr als {length} Stellen.",
        "en": "DATEV account {account} has more than {length} digits.",
    },
    "exports.sepa_reason.no_iban": {"de": "keine IBAN hinterlegt", "en": "no IBAN"},
    "exports.sepa_reason.invalid_iban": {"de": "IBAN ungültig", "en": "invalid IBAN"},
    "exports.sepa_reason.no_mandate": {"de": "kein SEPA-Mandat", "en": "no SEPA mandate"},
    "exports.download": {"de": "Export herunterladen", "en": "Download export"},
    "exports.sepa_exceptions_title": {"de": "SEPA-Ausnahmen", "en": "SEPA exceptions"},
    "exports.sepa_exceptions_hint": {
        "de": "Diese Landwirte stehen nicht in den SEPA-Dateien; bitte gesondert abrechnen oder die "
              "Bankverbindung nachtragen.",
        "en": "These farmers are not in the SEPA files; settle them separately or add their bank details.",
    },
    "exports.sepa_no_exceptions": {
        "de": "Alle Landwirte mit Zahlbetrag stehen in den SEPA-Dateien.",
        "en": "Every farmer with an amount due is in the SEPA files.",
    },
    "exports.file": {"de": "Datei", "en": "File"},
    "exports.farmer": {"de": "Landwirt", "en": "Farmer"},
    "exports.net": {"de": "Saldo", "en": "Balance"},
    "exports.reason": {"de": "Grund", "en": "Reason"},
    "exports.file.sepa-debit": {"de": "Lastschrift", "en": "Direct debit"},
    "exports.file.sepa-credit": {"de": "Überweisung", "en": "Credit transfer"},
}
