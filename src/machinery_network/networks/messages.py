MESSAGES = {
    "network.not_found": {"de": "Netzwerk nicht gefunden.", "en": "Network not found."},
    "network.name_taken": {
        "de": "Ein Netzwerk mit diesem Namen gibt es schon.", "en": "A network with this name exists already.",
    },
    "network.required": {
        "de": "Bitte das Netzwerk angeben.", "en": "network_id is required.",
    },
    "network.ambiguous": {
        "de": "Diese Installation hat mehrere Netzwerke: bitte das Netzwerk angeben.",
        "en": "This installation has several networks: name the network.",
    },
    "network.operator_creates_admins": {
        "de": "Der Betreiber legt nur Administratoren von Netzwerken an.",
        "en": "The operator creates only network administrators (role admin).",
    },
    "network.operator_no_network": {
        "de": "Der Betreiber gehört zu keinem Netzwerk.", "en": "The operator belongs to no network.",
    },
    "network.wrong_network": {
        "de": "Sie handeln nur für Ihr eigenes Netzwerk.", "en": "You may only act for your own network.",
    },
    "agreement.not_found": {"de": "Vereinbarung nicht gefunden.", "en": "Agreement not found."},
    "agreement.self": {
        "de": "Eine Vereinbarung braucht zwei verschiedene Netzwerke.",
        "en": "An agreement needs two different networks.",
    },
    "agreement.exists": {
        "de": "Mit diesem Netzwerk gibt es schon eine Vereinbarung.",
        "en": "There is a live agreement with this network already.",
    },
    "agreement.not_proposed": {
        "de": "Die Vereinbarung ist nicht mehr offen.", "en": "The agreement is not awaiting confirmation.",
    },
    "agreement.confirm_other": {
        "de": "Bestätigen kann nur das andere Netzwerk.",
        "en": "Only the administrator of the other network can confirm.",
    },
    "agreement.revoked": {"de": "Die Vereinbarung ist schon widerrufen.", "en": "The agreement is revoked already."},
    "networks.title": {"de": "Netzwerke der Installation", "en": "Networks of the installation"},
    "networks.nav": {"de": "Netzwerke", "en": "Networks"},
    "networks.new": {"de": "Neues Netzwerk", "en": "New network"},
    "networks.new_admin": {"de": "Administrator anlegen", "en": "New administrator"},
    "networks.figures": {"de": "Kennzahlen", "en": "Figures"},
    "networks.municipalities": {"de": "Gemeinden", "en": "Municipalities"},
    "networks.admins": {"de": "Administratoren", "en": "Administrators"},
    "networks.farmers": {"de": "Landwirte", "en": "Farmers"},
    "networks.items": {"de": "Geräte und Leistungen", "en": "Items"},
    "networks.bookings": {"de": "Buchungen", "en": "Bookings"},
    "agreements.title": {"de": "Vereinbarungen mit anderen Netzwerken", "en": "Agreements with other networks"},
    "agreements.propose": {"de": "Vereinbarung vorschlagen", "en": "Propose an agreement"},
    "agreements.confirm": {"de": "Bestätigen", "en": "Confirm"},
    "agreements.revoke": {"de": "Widerrufen", "en": "Revoke"},
    "agreements.state.proposed": {"de": "vorgeschlagen", "en": "proposed"},
    "agreements.state.active": {"de": "aktiv", "en": "active"},
    "agreements.state.revoked": {"de": "widerrufen", "en": "revoked"},
    "registration.title": {"de": "Als Landwirt registrieren", "en": "Register as a farmer"},
    "registration.invitation_link": {"de": "Einladungslink (30 Tage gültig)", "en": "Invitation link (30 days)"},
    "registration.open_link": {
        "de": "Offene Registrierung (mit Freigabe durch die Verwaltung)", "en": "Open registration (approved by you)",
    },
    "registration.approve": {"de": "Freigeben", "en": "Approve"},
    "registration.submit": {"de": "Registrieren", "en": "Register"},
    "registration.needs_approval": {
        "de": "Die Verwaltung des Netzwerks gibt Ihr Konto frei, danach können Sie sich anmelden.",
        "en": "The network's administrator approves your account; then you can log in.",
    },
    "registration.done": {"de": "Ihr Konto ist angelegt. Sie können sich jetzt anmelden.",
                          "en": "Your account is ready; you can log in now."},
    "registration.pending": {
        "de": "Danke! Sobald die Verwaltung Ihr Konto freigegeben hat, können Sie sich anmelden.",
        "en": "Thank you; you can log in once the administrator has approved your account.",
    },
    "registration.invalid_link": {
        "de": "Dieser Einladungslink ist ungültig oder abgelaufen.", "en": "This invitation link is invalid or expired.",
    },
    "role.operator": {"de": "Betreiber", "en": "operator"},
    "networks.agreements_nav": {"de": "Netzwerk und Vereinbarungen", "en": "Network and agreements"},
}
