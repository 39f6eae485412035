MESSAGES = {
    "municipality.name_taken": {
        "de": "Eine Gemeinde mit diesem Namen gibt es schon.",
        "en": "A municipality with this name exists already.",
    },
    "municipality.not_found": {"de": "Gemeinde nicht gefunden.", "en": "Municipality not found."},
    "user.email_taken": {
        "de": "Diese E-Mail-Adresse ist schon vergeben.",
        "en": "This e-mail address is taken.",
    },
    "user.not_found": {"de": "Benutzer nicht gefunden.", "en": "User not found."},
    "user.not_farmer": {"de": "Benutzer {id} ist kein Landwirt.", "en": "User {id} is not a farmer."},
    "user.municipality_required": {
        "de": "Bauhofleiter und Kämmerei gehören zu einer Gemeinde.",
        "en": "municipality_id is required for yard_head and finance.",
    },
    "user.municipality_not_allowed": {
        "de": "Nur Bauhofleiter und Kämmerei gehören zu einer Gemeinde.",
        "en": "municipality_id is only for yard_head and finance.",
    },
    "user.password_short": {
        "de": "Das Passwort braucht mindestens {min} Zeichen.",
        "en": "The password needs at least {min} characters.",
    },
    "admin.title": {"de": "Verwaltung des Netzwerks", "en": "Network administration"},
    "admin.nav": {"de": "Verwaltung", "en": "Administration"},
    "admin.municipalities": {"de": "Gemeinden", "en": "Municipalities"},
    "admin.users": {"de": "Benutzer", "en": "Users"},
    "admin.new_municipality": {"de": "Neue Gemeinde", "en": "New municipality"},
    "admin.new_user": {"de": "Neuer Benutzer", "en": "New user"},
    "admin.creditor_id": {"de": "Gläubiger-ID (SEPA)", "en": "SEPA creditor id"},
    "admin.address": {"de": "Anschrift (Briefkopf)", "en": "Address (letterhead)"},
    "admin.role": {"de": "Rolle", "en": "Role"},
    "admin.municipality_for_staff": {
        "de": "Gemeinde (nur Bauhofleitung und Kämmerei)", "en": "Municipality (yard head and finance only)",
    },
    "admin.iban_for_farmers": {"de": "IBAN (Landwirte)", "en": "IBAN (farmers)"},
    "admin.saved": {"de": "Gespeichert.", "en": "Saved."},
}
