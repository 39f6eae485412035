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
MESSAGES.update({
    "settlement.title": {"de": "Monatsabrechnungen", "en": "Monthly settlements"},
    "settlement.run": {"de": "Monat abrechnen", "en": "Settle month"},
    "settlement.month": {"de": "Monat", "en": "Month"},
    "settlement.run_hint": {
        "de": "Abgerechnet werden alle noch offenen Posten mit Leistungsdatum bis zum Monatsende. "
              "Eine erneute Abrechnung desselben Monats ändert nichts.",
        "en": "All open entries dated up to the end of the month are settled. Running it again changes nothing.",
    },
    "settlement.settled": {"de": "Abgeschlossene Abrechnungen", "en": "Settled months"},
    "settlement.pending": {"de": "Offene Posten nach Monat", "en": "Open entries by month"},
    "settlement.pending_hint": {
        "de": "Posten, die noch in keiner Abrechnung stehen (nach Leistungsmonat).",
        "en": "Entries not yet in any settlement (by month).",
    },
    "settlement.not_ended": {"de": "läuft noch", "en": "not ended"},
    "settlement.entries": {"de": "Posten", "en": "Entries"},
    "settlement.farmers": {"de": "Landwirte", "en": "Farmers"},
    "settlement.farmer": {"de": "Landwirt", "en": "Farmer"},
    "settlement.charges": {"de": "Belastungen", "en": "Charges"},
    "settlement.credits": {"de": "Gutschriften", "en": "Credits"},
    "settlement.net": {"de": "Saldo", "en": "Net"},
    "settlement.total": {"de": "Summe", "en": "Total"},
    "settlement.lines": {"de": "Landwirte in dieser Abrechnung", "en": "Farmers in this settlement"},
    "settlement.search_farmer": {"de": "Name des Landwirts", "en": "Farmer's name"},
    "settlement.search_month": {"de": "z. B. 03/2026 oder 2026", "en": "e.g. 03/2026 or 2026"},
    "settlement.run_by": {"de": "Abgerechnet von {who} am {when}", "en": "Settled by {who} on {when}"},
    "settlement.run_auto": {"de": "Automatisch abgerechnet am {when}", "en": "Settled automatically on {when}"},
    # how a settlement run was started (settlement_runs.trigger)
    "settlement.trigger.api": {"de": "über die Schnittstelle", "en": "through the API"},
    "settlement.trigger.web": {"de": "von Hand (Seite Abrechnung)", "en": "by hand (settlements page)"},
    "settlement.trigger.scheduler": {"de": "automatisch (monatlich)", "en": "automatically (monthly)"},
    "settlement.trigger.catch-up": {"de": "automatisch nachgeholt", "en": "automatically, caught up"},
    "settlement.trigger.cli": {"de": "von der Kommandozeile", "en": "from the command line"},
    "settlement.detail_title": {"de": "Abrechnung {month}", "en": "Settlement {month}"},
    "settlement.downloads": {"de": "Exporte", "en": "Downloads"},
    "settlement.export.csv": {"de": "CSV (Tabelle)", "en": "CSV"},
    "settlement.export.datev": {"de": "DATEV-Buchungsstapel", "en": "DATEV"},
    "settlement.export.pdf": {"de": "PDF-Abrechnungen", "en": "PDF statements"},
    "settlement.export.sepa-debit": {"de": "SEPA-Lastschriften", "en": "SEPA direct debits"},
    "settlement.export.sepa-credit": {"de": "SEPA-Überweisungen", "en": "SEPA credit transfers"},
    "settlement.payout": {"de": "Auszahlung", "en": "payout"},
    "settlement.back": {"de": "Zurück zur Übersicht", "en": "Back to the overview"},
    "settlement.created_message": {"de": "Der Monat {month} wurde abgerechnet.", "en": "Month {month} settled."},
    "settlement.existed_message": {
        "de": "Der Monat {month} war bereits abgerechnet; die Abrechnung ist unverändert.",
        "en": "Month {month} was settled already; unchanged.",
    },
    "settlement.none": {"de": "Noch keine Abrechnungen.", "en": "No settlements yet."},
    "settlement.runs": {"de": "Letzte Läufe", "en": "Recent runs"},
    "settlement.run_trigger": {"de": "Auslöser", "en": "Trigger"},
    "settlement.run_started": {"de": "Gestartet", "en": "Started"},
    "settlement.run_result": {"de": "Ergebnis", "en": "Result"},
    "settlement.run_ok_created": {"de": "erstellt", "en": "created"},
    "settlement.run_ok_unchanged": {"de": "unverändert", "en": "unchanged"},
    "settlement.run_skipped": {"de": "übersprungen (läuft anderswo)", "en": "skipped"},
    "settlement.statements": {"de": "Meine Abrechnungen", "en": "My statements"},
})

# --- notices (``settlement.notices``) -------------------------------------------------------------------
MESSAGES.update({
    "notice.settlement_debit": {
        "de": "Ihre Monatsabrechnung {month} ({municipality}) liegt bereit: {amount} werden am {date} per "
              "SEPA-Lastschrift eingezogen (Mandatsreferenz {mandate}).",
        "en": "Your statement {month} ({municipality}) is ready: {amount} will be collected by SEPA direct debit "
              "on {date} (mandate reference {mandate}).",
    },
    "notice.settlement_owed": {
        "de": "Ihre Monatsabrechnung {month} ({municipality}) liegt bereit: Bitte überweisen Sie {amount} bis "
              "zum {date}.",
        "en": "Your statement {month} ({municipality}) is ready: please transfer {amount} by {date}.",
    },
    "notice.settlement_payout": {
        "de": "Ihre Monatsabrechnung {month} ({municipality}) liegt bereit: {amount} werden Ihnen am {date} "
              "überwiesen.",
        "en": "Your statement {month} ({municipality}) is ready: {amount} will be paid to you on {date}.",
    },
    "notice.settlement_even": {
        "de": "Ihre Monatsabrechnung {month} ({municipality}) liegt bereit: Es ist nichts zu zahlen.",
        "en": "Your statement {month} ({municipality}) is ready: nothing to pay.",
    },
})
