MESSAGES = {
    "partners.not_partner": {
        "de": "Der Landwirt ist kein Vertragspartner dieser Gemeinde.",
        "en": "The farmer is not a contract partner of this municipality.",
    },
}
