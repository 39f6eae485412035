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
    "municipality.out_of_range": {
        "de": "Erlaubt sind Werte von {low} bis {high}.", "en": "Allowed values: {low} to {high}.",
    },
    "municipality.chart_invalid": {
        "de": "Kontenrahmen SKR03 oder SKR04.", "en": "datev_chart must be SKR03 or SKR04.",
    },
    "municipality.debtor_range": {
        "de": "Das Ende des Debitorenbereichs liegt vor seinem Anfang ({low}).",
        "en": "The debtor range ends before it starts ({low}).",
    },
    "municipality.settings_title": {"de": "Bank- und DATEV-Einstellungen", "en": "Bank and DATEV settings"},
    "municipality.settings_link": {"de": "Bank/DATEV", "en": "Bank/DATEV"},
    "municipality.bank": {"de": "Bankverbindung und Lastschrift", "en": "Bank account and direct debit"},
    "municipality.prenotification_days": {
        "de": "Vorabankündigung (Kalendertage)", "en": "Pre-notification (calendar days)",
    },
    "municipality.consultant": {"de": "Beraternummer", "en": "Consultant number"},
    "municipality.client": {"de": "Mandantennummer", "en": "Client number"},
    "municipality.chart": {"de": "Kontenrahmen", "en": "Chart of accounts"},
    "municipality.fiscal_year_start": {
        "de": "Beginn des Wirtschaftsjahres (Monat)", "en": "Fiscal year starts (month)",
    },
    "municipality.account_length": {"de": "Sachkontenlänge", "en": "Account length"},
    "municipality.debtor_start": {"de": "Debitorenkonten ab", "en": "Debtor accounts from"},
    "municipality.debtor_end": {"de": "Debitorenkonten bis", "en": "Debtor accounts up to"},
    "municipality.revenue_19": {"de": "Erlöskonto 19 %", "en": "Revenue account 19 %"},
    "municipality.revenue_7": {"de": "Erlöskonto 7 %", "en": "Revenue account 7 %"},
    "municipality.revenue_0": {"de": "Erlöskonto 0 %", "en": "Revenue account 0 %"},
    "municipality.expense": {"de": "Aufwandskonto Pflegegutschriften", "en": "Expense account (care credits)"},
    "municipality.defaults_hint": {
        "de": "Leere Konten- und Debitorenfelder folgen dem Kontenrahmen (grau: der Standardwert). "
              "Debitorennummern werden je Gemeinde fortlaufend vergeben und bleiben dem Landwirt.",
        "en": "Empty account and debtor fields follow the chart (grey: the default). Debtor numbers are "
              "given per municipality in order and stay with the farmer.",
    },
}
