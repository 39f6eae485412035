MESSAGES = {
    "item.not_found": {"de": "Gerät oder Leistung nicht gefunden.", "en": "Item not found."},
    "item.inactive": {"de": "Dieses Angebot ist derzeit nicht buchbar.", "en": "This item is not active."},
    "kind.machine": {"de": "Maschine", "en": "machine"},
    "kind.service": {"de": "Dienstleistung", "en": "service"},
    "unit.hour": {"de": "Stunde", "en": "hour"},
    "unit.day": {"de": "Tag", "en": "day"},
    "unit.hectare": {"de": "Hektar", "en": "hectare"},
    "unit.km": {"de": "Kilometer", "en": "km"},
    "unit.flat": {"de": "pauschal", "en": "flat"},
    "item.buffer_conflict": {
        "de": "Dieser Puffer passt nicht: Buchungen oder Sperrungen des Geräts liegen näher beieinander.",
        "en": "This buffer does not fit: bookings or blocks of the item lie closer together.",
    },
    "item.saved": {"de": "Gespeichert.", "en": "Saved."},
    "item.valid_from_future": {
        "de": "Neue Sätze gelten ab heute oder einem früheren Tag, nicht erst künftig.",
        "en": "New rates take effect today or on an earlier day, not in the future.",
    },
    "item.valid_from_before_last": {
        "de": "Neue Sätze können nicht vor der letzten Änderung ({last}) gelten.",
        "en": "New rates cannot take effect before the last change ({last}).",
    },
}

MESSAGES.update({
    "catalogue.title": {"de": "Geräte und Leistungen der Bauhöfe", "en": "Building-yard machines and services"},
    "catalogue.intro": {
        "de": "Alle Angebote zum Selbstkostenpreis. Buchungen bestätigt der Bauhof der jeweiligen Gemeinde.",
        "en": "Everything at cost price; the owning municipality's building yard confirms each booking.",
    },
    "catalogue.kind": {"de": "Art", "en": "Kind"},
    "catalogue.name": {"de": "Bezeichnung", "en": "Name"},
    "catalogue.description": {"de": "Beschreibung", "en": "Description"},
    "catalogue.unit": {"de": "Einheit", "en": "Unit"},
    "catalogue.rate": {"de": "Satz (€ netto)", "en": "Rate (€ net)"},
    "catalogue.operator_rate": {"de": "Bedienersatz (€ je Stunde, kann leer bleiben)", "en": "Operator rate (€/h, optional)"},
    "catalogue.vat": {"de": "USt. (%)", "en": "VAT (%)"},
    "catalogue.active": {"de": "buchbar", "en": "active"},
    "catalogue.inactive": {"de": "nicht buchbar", "en": "inactive"},
    "catalogue.per": {"de": "je", "en": "per"},
    "catalogue.with_operator": {"de": "mit Bediener", "en": "with operator"},
    "catalogue.empty": {"de": "Keine passenden Angebote gefunden.", "en": "No matching items."},
    "catalogue.new": {"de": "Neues Gerät / neue Leistung", "en": "New item"},
    "catalogue.edit": {"de": "Bearbeiten", "en": "Edit"},
    "catalogue.manage_title": {"de": "Unsere Geräte und Leistungen", "en": "Our items"},
    "catalogue.sort_municipality": {"de": "Gemeinde, dann Name", "en": "Municipality, then name"},
    "catalogue.search_placeholder": {"de": "z. B. Mulcher, Kehrmaschine", "en": "e.g. mulcher, sweeper"},
    "catalogue.offered_by": {"de": "Angeboten vom Bauhof", "en": "Offered by the building yard of"},
    "catalogue.vat_not_a_network_rate": {
        "de": "Nur die Steuersätze des Netzwerks sind möglich: {rates} %.",
        "en": "The VAT rate must be one of the network's rates: {rates} %.",
    },
    "catalogue.vat_without_datev_account": {
        "de": "Für den Steuersatz {rate} % hat die Gemeinde noch kein DATEV-Erlöskonto: die Kämmerei trägt es "
              "zuerst in den Bank-/DATEV-Einstellungen ein, damit jeder Monat exportiert werden kann.",
        "en": "The municipality has no DATEV revenue account for the VAT rate {rate} % yet: its finance office "
              "sets one first (datev_vat_accounts), so that every month can be exported.",
    },
})
