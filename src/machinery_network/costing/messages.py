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

MESSAGES.update({
    "costing.title": {"de": "Selbstkostenpreis", "en": "Cost price"},
    "costing.intro": {
        "de": "Berechnet nach der KTBL-Methode: Festkosten aus Preis, Nutzungsdauer und Zins; variable Kosten aus "
              "Reparaturen und Kraftstoff. So ist nachvollziehbar, wie ein Satz entstanden ist.",
        "en": "Computed by the KTBL method: fixed costs from price, life and interest; variable costs from repairs "
              "and fuel. Anyone can see how a rate was reached.",
    },
    "costing.current_rate": {"de": "Aktueller Satz", "en": "Current rate"},
    "costing.result": {"de": "Ergebnis der Kalkulation", "en": "Result of the calculation"},
    "costing.depreciation": {"de": "Abschreibung je Jahr", "en": "Depreciation per year"},
    "costing.interest": {"de": "Zinskosten je Jahr", "en": "Interest per year"},
    "costing.fixed": {"de": "Festkosten je Jahr", "en": "Fixed cost per year"},
    "costing.repair": {"de": "Reparaturkosten", "en": "Repair cost"},
    "costing.fuel": {"de": "Kraftstoffkosten", "en": "Fuel cost"},
    "costing.variable": {"de": "Variable Kosten", "en": "Variable cost"},
    "costing.cost_per_unit": {"de": "Selbstkosten bei erwarteter Auslastung", "en": "Cost at the expected use"},
    "costing.operator_rate": {"de": "Bedienersatz je Stunde (Lohn mit Nebenkosten)",
                              "en": "Operator rate per hour (wage with overheads)"},
    "costing.break_even": {"de": "Einsatzschwelle zum aktuellen Satz (Auslastung je Jahr)",
                           "en": "Operating threshold at the current rate (use per year)"},
    "costing.break_even_never": {"de": "nie – der Satz deckt nicht einmal die variablen Kosten",
                                 "en": "never – the rate does not even cover the variable cost"},
    "costing.calculator": {"de": "Kalkulation", "en": "Calculator"},
    "costing.capital": {"de": "Anschaffung und Festkosten", "en": "Purchase and fixed costs"},
    "costing.running": {"de": "Betrieb", "en": "Running"},
    "costing.purchase_price": {"de": "Anschaffungspreis (€)", "en": "Purchase price (€)"},
    "costing.residual_value": {"de": "Restwert (€)", "en": "Residual value (€)"},
    "costing.life_years": {"de": "Nutzungsdauer (Jahre)", "en": "Useful life (years)"},
    "costing.life_units": {"de": "Nutzungsdauer (Einheiten)", "en": "Useful life (units)"},
    "costing.annual_units": {"de": "Erwartete Auslastung je Jahr", "en": "Expected use per year"},
    "costing.in_units": {"de": "in", "en": "in"},
    "costing.interest_percent": {"de": "Zinssatz (%)", "en": "Interest (%)"},
    "costing.insurance": {"de": "Versicherung (€ je Jahr)", "en": "Insurance (€ per year)"},
    "costing.housing": {"de": "Unterbringung (€ je Jahr)", "en": "Housing (€ per year)"},
    "costing.tax": {"de": "Steuern (€ je Jahr)", "en": "Taxes (€ per year)"},
    "costing.repair_percent": {"de": "Reparaturfaktor (% des Anschaffungspreises über die Nutzungsdauer)",
                               "en": "Repair factor (% of the price over the life)"},
    "costing.fuel_litres": {"de": "Kraftstoff (Liter je Einheit)", "en": "Fuel (litres per unit)"},
    "costing.fuel_price": {"de": "Kraftstoffpreis (€ je Liter)", "en": "Fuel price (€ per litre)"},
    "costing.operator_wage": {"de": "Bedienerlohn (€ je Stunde, kann leer bleiben)", "en": "Operator wage (€/h, optional)"},
    "costing.operator_overhead": {"de": "Lohnnebenkosten (%)", "en": "Wage overheads (%)"},
    "costing.calculate": {"de": "Berechnen", "en": "Calculate"},
    "costing.adopt_title": {"de": "Als neuen Satz übernehmen", "en": "Adopt as the new rate"},
    "costing.adopt_intro": {
        "de": "Der Satz gilt ab dem gewählten Tag (leer: heute); die Kalkulation wird mit ihm aufbewahrt. "
              "Bereits genehmigte Buchungen behalten ihren Satz.",
        "en": "The rate applies from the chosen day (empty: today); the calculation is kept with it. "
              "Approved bookings keep their rate.",
    },
    "costing.rate": {"de": "Neuer Satz (€, leer: Selbstkosten)", "en": "New rate (€, empty: the cost)"},
    "costing.valid_from": {"de": "Gültig ab", "en": "Valid from"},
    "costing.note": {"de": "Bemerkung (z. B. Quelle der Werte)", "en": "Note (e.g. source of the figures)"},
    "costing.adopt": {"de": "Satz übernehmen", "en": "Adopt rate"},
    "costing.adopted": {"de": "Der neue Satz ist übernommen, die Kalkulation gespeichert.",
                        "en": "The new rate is adopted and the calculation kept."},
    "costing.kept_title": {"de": "So ist der Satz entstanden", "en": "How the rate was reached"},
    "costing.kept_none": {"de": "Für dieses Angebot liegt noch keine Kalkulation vor.",
                          "en": "No calculation has been adopted for this item yet."},
    "costing.method": {
        "de": "Festkosten = (Anschaffungspreis − Restwert) / Nutzungsjahre + (Anschaffungspreis + Restwert) / 2 × "
              "Zinssatz + Versicherung + Unterbringung + Steuern; variable Kosten = Anschaffungspreis × "
              "Reparaturfaktor / Nutzungsdauer + Kraftstoff × Preis; Selbstkosten = Festkosten / Auslastung + "
              "variable Kosten; jeweils kaufmännisch auf den Cent gerundet.",
        "en": "fixed = (price − residual) / life years + (price + residual) / 2 × interest + insurance + housing + "
              "tax; variable = price × repair factor / life units + fuel × price; cost = fixed / annual use + "
              "variable; each rounded half-up to the cent.",
    },
    "costing.nav": {"de": "Kostendeckung", "en": "Cost coverage"},
    "coverage.title": {"de": "Kostendeckung", "en": "Cost coverage"},
    "coverage.intro": {
        "de": "Erlöse je Angebot im Jahr im Vergleich zu den Selbstkosten bei der tatsächlichen Nutzung. Unter 80 % "
              "oder über 110 % ist markiert.",
        "en": "Revenue per item in the year against the cost at the actual use; under 80 % or over 110 % is flagged.",
    },
    "coverage.municipality": {"de": "Gemeinde", "en": "Municipality"},
    "coverage.year": {"de": "Jahr", "en": "Year"},
    "coverage.show": {"de": "Anzeigen", "en": "Show"},
    "coverage.none": {"de": "Keine Angebote.", "en": "No items."},
    "coverage.item": {"de": "Angebot", "en": "Item"},
    "coverage.use": {"de": "Nutzung", "en": "Use"},
    "coverage.metered": {"de": "Betriebsstundenzähler: {hours} h (Rückgaben: {count})",
                         "en": "Hour meter: {hours} h (returns: {count})"},
    "coverage.revenue": {"de": "Erlöse", "en": "Revenue"},
    "coverage.cost": {"de": "Selbstkosten", "en": "Cost"},
    "coverage.percent": {"de": "Deckung", "en": "Coverage"},
    "coverage.flag": {"de": "Bewertung", "en": "Assessment"},
    "coverage.flag.under": {"de": "unter 80 %", "en": "under 80 %"},
    "coverage.flag.ok": {"de": "gedeckt", "en": "covered"},
    "coverage.flag.over": {"de": "über 110 %", "en": "over 110 %"},
    "coverage.flag.unknown": {"de": "keine Kalkulation", "en": "no calculation"},
})
