MESSAGES = {
    "municipality.name_taken": {
        "de": "Eine Gemeinde mit diesem Namen gibt es schon.",
        "en": "A municipality with this name exists already.",
    },
    "municipality.vat_rate_in_use": {
        "de": "Artikel dieser Gemeinde tragen {rate} % USt.: Dieser Steuersatz braucht ein DATEV-Erlöskonto, "
              "solange es sie gibt.",
        "en": "Items of this municipality carry {rate} % VAT: that rate needs a DATEV revenue account as long "
              "as they do.",
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
    "people.profile": {"de": "Mein Profil", "en": "My profile"},
    "people.name": {"de": "Name", "en": "Name"},
    "people.address": {"de": "Anschrift", "en": "Postal address"},
    "people.street": {"de": "Straße und Hausnummer", "en": "Street"},
    "people.postcode": {"de": "PLZ", "en": "Postcode"},
    "people.town": {"de": "Ort", "en": "Town"},
    "people.phone": {"de": "Telefon", "en": "Phone"},
    "people.iban_hint": {
        "de": "Eine neue IBAN gilt auch für Ihre SEPA-Lastschriftmandate; die Änderung wird festgehalten.",
        "en": "A new IBAN also amends your SEPA mandates; the change is recorded.",
    },
    "people.vat_status": {"de": "Umsatzsteuer des Betriebs", "en": "VAT status of the farm"},
    "people.vat.flat_rate": {"de": "Pauschalierung (§ 24 UStG)", "en": "flat rate (§24 UStG)"},
    "people.vat.standard": {"de": "Regelbesteuerung", "en": "standard"},
    "people.vat.small_business": {"de": "Kleinunternehmer (§ 19 UStG)", "en": "small business (§19 UStG)"},
    "people.notifications": {"de": "Benachrichtigungen", "en": "Notifications"},
    "people.notifications_hint": {
        "de": "Jede Mitteilung steht immer auf der Seite; wählen Sie, wofür Sie zusätzlich eine E-Mail bekommen.",
        "en": "Every notice is shown on the page; choose which also come by mail.",
    },
    "people.kind.booking": {"de": "Buchungen (Anfragen, Entscheidungen)", "en": "Bookings"},
    "people.kind.care_log": {"de": "Pflegemeldungen (bestätigt, abgelehnt)", "en": "Care logs"},
    "people.kind.settlement": {"de": "Abrechnungen und Lastschriften", "en": "Settlements and debits"},
    "people.kind.reminder": {"de": "Erinnerung am Tag vor einer Buchung", "en": "Reminder the day before"},
    "people.kind.digest": {"de": "Wochenübersicht (Bauhofleitung)", "en": "Weekly digest (yard heads)"},
    "people.by_mail": {"de": "per E-Mail", "en": "by mail"},
    "people.on_page": {"de": "nur auf der Seite", "en": "only on the page"},
    "people.security": {"de": "Anmeldung und Sicherheit", "en": "Login and security"},
    "people.change_password": {"de": "Passwort ändern", "en": "Change password"},
    "people.change_required": {
        "de": "Ihr Passwort wurde von der Verwaltung vergeben. Bitte legen Sie jetzt ein eigenes fest.",
        "en": "Your password was set by the administrator; please choose your own now.",
    },
    "people.password_rules": {
        "de": "Mindestens 10 Zeichen, nicht nur Leerzeichen, nicht Ihre E-Mail-Adresse und kein verbreitetes Passwort.",
        "en": "At least 10 characters, not all blanks, not your e-mail, not a common password.",
    },
    "people.password_ends_sessions": {
        "de": "Nach der Änderung sind Sie überall sonst abgemeldet.",
        "en": "After the change you are logged out everywhere else.",
    },
    "people.current_password": {"de": "Bisheriges Passwort", "en": "Current password"},
    "people.new_password": {"de": "Neues Passwort", "en": "New password"},
    "people.repeat_password": {"de": "Neues Passwort wiederholen", "en": "Repeat the new password"},
    "people.repeat_differs": {
        "de": "Die beiden Eingaben des neuen Passworts stimmen nicht überein.",
        "en": "repeat: the two entries differ.",
    },
    "people.done_saved": {"de": "Gespeichert.", "en": "Saved."},
    "people.done_password": {"de": "Das Passwort wurde geändert.", "en": "The password was changed."},
    "people.forgot": {"de": "Passwort zurücksetzen", "en": "Reset password"},
    "people.forgot_link": {"de": "Passwort vergessen?", "en": "Forgot your password?"},
    "people.forgot_intro": {
        "de": "Geben Sie Ihre E-Mail-Adresse ein. Sie bekommen einen Link, mit dem Sie ein neues Passwort festlegen.",
        "en": "Enter your e-mail address to get a link for a new password.",
    },
    "people.send_link": {"de": "Link senden", "en": "Send link"},
    "people.reset_sent": {
        "de": "Wenn zu dieser Adresse ein Konto gehört, ist eine E-Mail mit dem Link unterwegs. "
              "Der Link gilt eine Stunde und nur einmal.",
        "en": "If the address belongs to an account, a link is on its way (valid for an hour, once).",
    },
    "people.reset_done": {
        "de": "Ihr neues Passwort gilt. Bitte melden Sie sich an.", "en": "Your new password is set; please log in.",
    },
    "people.back_to_login": {"de": "Zurück zur Anmeldung", "en": "Back to login"},
    "people.request_new_link": {"de": "Neuen Link anfordern", "en": "Request a new link"},
    "people.email_invalid": {"de": "Bitte eine E-Mail-Adresse angeben.", "en": "Enter an e-mail address."},
    "people.tokens": {"de": "Zugangsschlüssel (Schnittstelle)", "en": "API tokens"},
    "people.tokens_hint": {
        "de": "Mit diesen Schlüsseln greifen Programme und Apps in Ihrem Namen zu. "
              "Widerrufen Sie jeden, den Sie nicht kennen.",
        "en": "Programs use these tokens in your name; revoke any you do not recognise.",
    },
    "people.token_client": {"de": "Programm", "en": "Client"},
    "people.token_created": {"de": "Angelegt", "en": "Created"},
    "people.token_expires": {"de": "Gültig bis", "en": "Expires"},
    "people.revoke": {"de": "Widerrufen", "en": "Revoke"},
    "people.no_tokens": {"de": "Keine Zugangsschlüssel.", "en": "No tokens."},
    "people.token_revoked": {"de": "Der Zugangsschlüssel wurde widerrufen.", "en": "The token was revoked."},
    "people.my_data": {"de": "Meine Daten", "en": "My data"},
    "people.my_data_hint": {
        "de": "Alle Daten, die das Netzwerk über Sie speichert (Profil, Buchungen, Pflegemeldungen mit Fotos, "
              "Buchungsposten, Kontoauszüge), als ZIP-Datei.",
        "en": "All your data as one ZIP file.",
    },
    "people.download": {"de": "Meine Daten herunterladen", "en": "Download my data"},
    "people.active": {"de": "aktiv", "en": "active"},
    "people.inactive": {"de": "deaktiviert", "en": "deactivated"},
    "people.erased": {"de": "gelöscht", "en": "erased"},
    "people.active_label": {"de": "Konto aktiv", "en": "Account active"},
    "people.deactivate_hint": {
        "de": "Ein deaktiviertes Konto ist sofort überall abgemeldet und kann sich nicht mehr anmelden.",
        "en": "A deactivated account is logged out everywhere at once.",
    },
    "people.force_reset": {"de": "Passwort zurücksetzen lassen", "en": "Force a password reset"},
    "people.force_reset_hint": {
        "de": "Das bisherige Passwort gilt nicht mehr; der Benutzer bekommt per E-Mail einen Link und legt selbst "
              "ein neues fest. Sie erfahren kein Passwort.",
        "en": "The current password stops working; the user gets a link by mail and chooses a new one.",
    },
    "people.erase": {"de": "Landwirt löschen (DSGVO)", "en": "Erase farmer (GDPR)"},
    "people.erase_hint": {
        "de": "Name, Anschrift, Kontaktdaten und IBAN werden durch ein Pseudonym ersetzt. Buchungsposten, "
              "Abrechnungen und Exporte bleiben für die Aufbewahrungsfrist (10 Jahre, § 147 AO) erhalten. "
              "Nur ohne offenen Saldo möglich.",
        "en": "Personal data is replaced by a pseudonym; the books stay. Only without an open balance.",
    },
    "people.erase_confirm_label": {
        "de": "Ich habe geprüft, dass dieser Landwirt gelöscht werden soll.", "en": "I confirm the erasure.",
    },
    "people.erase_confirm": {"de": "Bitte die Löschung bestätigen.", "en": "confirm: please confirm."},
    "people.admin_done_saved": {"de": "Gespeichert.", "en": "Saved."},
    "people.admin_done_reset": {
        "de": "Das Passwort gilt nicht mehr; der Link zum Zurücksetzen ist per E-Mail unterwegs.",
        "en": "The password was reset; the link is on its way.",
    },
    "people.admin_done_erased": {"de": "Der Landwirt wurde gelöscht (pseudonymisiert).", "en": "Erased."},
    "people.edit": {"de": "Bearbeiten", "en": "Edit"},
    "people.changes": {"de": "Änderungen am Konto", "en": "Changes to the account"},
    "people.when": {"de": "Wann", "en": "When"},
    "people.what": {"de": "Was", "en": "What"},
    "people.change.profile_changed": {"de": "Profil geändert", "en": "Profile changed"},
    "people.change.iban_changed": {"de": "IBAN geändert", "en": "IBAN changed"},
    "people.change.password_changed": {"de": "Passwort geändert", "en": "Password changed"},
    "people.change.password_reset": {"de": "Passwort über Link neu festgelegt", "en": "Password reset"},
    "people.change.password_reset_forced": {"de": "Zurücksetzen des Passworts veranlasst", "en": "Reset forced"},
    "people.change.updated": {"de": "Von der Verwaltung geändert", "en": "Changed by the administrator"},
    "people.change.deactivated": {"de": "Deaktiviert", "en": "Deactivated"},
    "people.change.erased": {"de": "Gelöscht (pseudonymisiert)", "en": "Erased"},
    "municipality.vat_rate_unknown": {
        "de": "Der Steuersatz {rate} % ist keiner des Netzwerks ({rates} %).",
        "en": "datev_vat_accounts: {rate} % is not one of the network's VAT rates ({rates} %).",
    },
    "municipality.vat_rate_twice": {
        "de": "Der Steuersatz {rate} % steht zweimal in der Liste.", "en": "datev_vat_accounts: {rate} % twice.",
    },
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
    "municipality.vat_accounts": {"de": "Erlöskonten je Steuersatz", "en": "Revenue accounts per VAT rate"},
    "municipality.vat_accounts_hint": {
        "de": "Für jeden Steuersatz des Netzwerks: Erlöskonto und, wenn es kein Automatikkonto ist, der "
              "BU-Schlüssel (laut Steuerberatung). Leer bei 19 %, 7 % und 0 %: das Automatikkonto darüber. "
              "Ein anderer Steuersatz ohne Konto kann nicht an DATEV übergeben werden.",
        "en": "For each VAT rate of the network: the revenue account and, unless it is an automatic VAT account, "
              "the BU key (as the tax advisor says). Empty at 19 %, 7 % and 0 %: the automatic account above. "
              "Another rate without an account cannot be exported to DATEV.",
    },
    "municipality.vat_rate": {"de": "Steuersatz", "en": "VAT rate"},
    "municipality.vat_account": {"de": "Erlöskonto", "en": "Revenue account"},
    "municipality.tax_key": {"de": "BU-Schlüssel", "en": "BU key"},
    "municipality.defaults_hint": {
        "de": "Leere Konten- und Debitorenfelder folgen dem Kontenrahmen (grau: der Standardwert). "
              "Debitorennummern werden je Gemeinde fortlaufend vergeben und bleiben dem Landwirt.",
        "en": "Empty account and debtor fields follow the chart (grey: the default). Debtor numbers are "
              "given per municipality in order and stay with the farmer.",
    },
    "user.erase_open_business": {
        "de": "Der Landwirt hat noch {bookings} offene Buchung(en) und {care_logs} unbestätigte "
              "Pflegemeldung(en); erst abschließen, ablehnen oder stornieren, dann löschen.",
        "en": "The farmer still has {bookings} open booking(s) and {care_logs} undecided care log(s).",
    },
}
