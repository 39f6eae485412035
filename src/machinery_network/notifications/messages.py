"""Words of the notices: the page "Mitteilungen", the menu's unread count, refusals."""

MESSAGES = {
    "notice.not_found": {"de": "Mitteilung nicht gefunden.", "en": "Notice not found."},
    "notices.title": {"de": "Mitteilungen", "en": "Notices"},
    "notices.nav": {"de": "Mitteilungen", "en": "Notices"},
    "notices.unread": {"de": "{count} ungelesen", "en": "{count} unread"},
    "notices.none": {"de": "Keine Mitteilungen.", "en": "No notices."},
    "notices.read_all": {"de": "Alle als gelesen markieren", "en": "Mark all as read"},
    "notices.mark_read": {"de": "Gelesen", "en": "Mark as read"},
    "notices.new": {"de": "neu", "en": "new"},
    "notices.open": {"de": "Öffnen", "en": "Open"},
    "notices.hint": {
        "de": "Per E-Mail oder nur hier: das wählen Sie je Art in Ihrem Profil.",
        "en": "By mail or only here: choose per kind in your profile.",
    },
    "notices.more": {"de": "Ältere Mitteilungen", "en": "Older notices"},
    "notices.first": {"de": "Zu den neuesten", "en": "Back to the newest"},
}
