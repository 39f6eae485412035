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
    "password.too_short": {
        "de": "Das Passwort braucht mindestens {min} Zeichen.",
        "en": "password: at least {min} characters are needed.",
    },
    "password.too_long": {
        "de": "Das Passwort darf höchstens {max} Zeichen haben.",
        "en": "password: at most {max} characters.",
    },
    "password.blank": {
        "de": "Das Passwort darf nicht nur aus Leerzeichen bestehen.",
        "en": "password: must not be all blanks.",
    },
    "password.is_email": {
        "de": "Das Passwort darf nicht die E-Mail-Adresse sein.",
        "en": "password: must not be the e-mail address.",
    },
    "password.common": {
        "de": "Dieses Passwort ist zu verbreitet und leicht zu erraten. Bitte ein anderes wählen.",
        "en": "password: this is a common password, choose another one.",
    },
    "password.wrong_current": {
        "de": "Das bisherige Passwort stimmt nicht.",
        "en": "current_password: wrong password.",
    },
    "password.reset_invalid": {
        "de": "Der Link zum Zurücksetzen ist ungültig, abgelaufen oder schon benutzt. Bitte einen neuen anfordern.",
        "en": "token: the reset link is invalid, expired or already used.",
    },
    "user.erase_open_balance": {
        "de": "Der Landwirt hat bei {municipality} noch einen offenen Saldo von {amount}; "
              "erst nach dem Ausgleich kann er gelöscht werden.",
        "en": "The farmer still has an open balance of {amount} with {municipality}.",
    },
    "user.erased": {
        "de": "Dieses Konto wurde gelöscht.", "en": "This account has been erased.",
    },
    "user.erase_only_farmers": {
        "de": "Nur Landwirte können so gelöscht werden; Mitarbeiter werden deaktiviert.",
        "en": "Only farmers can be erased; staff are deactivated.",
    },
    "user.not_self": {
        "de": "Das eigene Konto kann man nicht deaktivieren oder die eigene Rolle ändern.",
        "en": "You cannot deactivate yourself or change your own role.",
    },
    "token.not_found": {"de": "Zugangsschlüssel nicht gefunden.", "en": "Token not found."},
    "password.same": {
        "de": "Das neue Passwort muss sich vom bisherigen unterscheiden.",
        "en": "password: the new password must differ from the current one.",
    },
    "user.notify_kind": {
        "de": "Unbekannte Art von Benachrichtigung: {kind}.", "en": "notifications: unknown kind {kind}.",
    },
    "user.notify_choice": {
        "de": "Für {kind} bitte „mail“ oder „page“ wählen.",
        "en": "notifications: {kind} is either \"mail\" or \"page\".",
    },
    "user.inactive": {
        "de": "Das Konto ist deaktiviert.", "en": "The account is deactivated.",
    },
}
