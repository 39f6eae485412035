"""Words of the care domain: sections, assignments, care logs, seasonal plans, winter-service proof."""

MESSAGES = {
    # --- refusals -------------------------------------------------------------------------------
    "care.section_not_found": {"de": "Abschnitt nicht gefunden.", "en": "Section not found."},
    "care.section_inactive": {
        "de": "Dieser Abschnitt ist stillgelegt; Meldungen sind nicht möglich.",
        "en": "This section is inactive; no care work can be reported on it.",
    },
    "care.assignment_not_found": {"de": "Zuweisung nicht gefunden.", "en": "Assignment not found."},
    "care.log_not_found": {"de": "Pflegemeldung nicht gefunden.", "en": "Care log not found."},
    "care.farmer_unknown": {"de": "Diesen Landwirt gibt es nicht.", "en": "No such farmer."},
    "care.assignment_period": {
        "de": "Das Ende darf nicht vor dem Beginn liegen.",
        "en": "valid_to must not be before valid_from.",
    },
    "care.assignment_overlap": {
        "de": "Der Abschnitt ist im Zeitraum {period_de} bereits {farmer} zugewiesen.",
        "en": "The section is already assigned to {farmer} for {period_en}.",
    },
    "care.assignment_overlap_unknown": {
        "de": "Der Abschnitt ist in diesem Zeitraum bereits einem anderen Landwirt zugewiesen.",
        "en": "The section is already assigned to another farmer in this period.",
    },
    "care.assignment_open_logs": {
        "de": "Nach dem {date_de} liegen noch Meldungen dieses Landwirts vor; das Ende muss danach liegen.",
        "en": "The farmer has care logs after {date}; end the assignment on or after their dates.",
    },
    "care.open_period": {"de": "ab {start}, unbefristet", "en": "from {start}, open-ended"},
    "care.period": {"de": "{start} bis {end}", "en": "{start} to {end}"},
    "care.not_your_section": {
        "de": "Dieser Abschnitt ist Ihnen nicht zugewiesen.",
        "en": "This section is not assigned to you.",
    },
    "care.not_assigned": {
        "de": "Dieser Abschnitt war Ihnen am {date_de} nicht zugewiesen.",
        "en": "This section was not assigned to you on {date}.",
    },
    "care.future_date": {
        "de": "Arbeiten können erst nach ihrer Erledigung gemeldet werden (Datum liegt in der Zukunft).",
        "en": "performed_on lies in the future; report work once it is done.",
    },
    "care.quantity_positive": {"de": "Die Menge muss größer als null sein.", "en": "quantity must be > 0."},
    "care.quantity_metre": {
        "de": "Höchstens {max} m je Meldung (ein Durchgang über die Abschnittslänge).",
        "en": "At most {max} m per log (one pass over the section's length).",
    },
    "care.quantity_hour": {"de": "Höchstens 24 Stunden je Meldung.", "en": "At most 24 hours per log."},
    "care.quantity_flat": {
        "de": "Pauschal vergütete Arbeiten werden mit Menge 1 gemeldet.",
        "en": "A flat-rate task is reported with quantity 1.",
    },
    "care.not_reported": {
        "de": "Diese Meldung ist bereits entschieden ({status}).",
        "en": "This care log has been decided already ({status}).",
    },
    "care.already_credited": {
        "de": "Für diese Meldung wurde bereits eine Gutschrift gebucht.",
        "en": "This care log has been credited already.",
    },
    "care.rate_changed": {
        "de": "Satz oder Einheit wurden geändert; die Meldung muss neu erfasst werden.",
        "en": "The section's rate or unit changed since the report; reject it and report again.",
    },
    "care.open_logs_block_change": {
        "de": "Es gibt noch {count} offene Meldungen; Satz und Einheit erst nach deren Entscheidung ändern.",
        "en": "{count} care logs are still open; decide them before changing rate or unit.",
    },
    "care.photo_too_large": {
        "de": "Das Foto ist zu groß (höchstens {max} MB).",
        "en": "The photo is too large (at most {max} MB).",
    },
    "care.photo_type": {
        "de": "Nur Fotos im Format JPEG, PNG oder WebP.",
        "en": "Only JPEG, PNG or WebP photos are accepted.",
    },
    "care.photo_unreadable": {
        "de": "Das Foto lässt sich nicht lesen (beschädigt oder unvollständig).",
        "en": "The photo cannot be read (damaged or incomplete).",
    },
    "care.photo_too_many_pixels": {
        "de": "Das Foto hat zu viele Bildpunkte (höchstens {max} Megapixel).",
        "en": "The photo has too many pixels (at most {max} megapixels).",
    },
    "care.log_exists_for_day": {
        "de": "Für diesen Abschnitt gibt es vom {date_de} bereits eine Meldung von Ihnen. Bitte ergänzen Sie diese "
              "oder fragen Sie den Bauhof, ob mehrere Meldungen am Tag erlaubt werden.",
        "en": "You have already reported work on this section on {date}. Amend that report, or ask the building "
              "yard to allow more reports a day.",
    },
    "care.photo_empty": {"de": "Die Datei ist leer.", "en": "The file is empty."},
    "care.photo_missing": {"de": "Zu dieser Meldung gibt es kein Foto.", "en": "This care log has no photo."},
    "care.season_unknown": {"de": "Unbekannte Jahreszeit: {season}.", "en": "Unknown season: {season}."},
    "care.passes_invalid": {
        "de": "Geplante Durchgänge: ganze Zahlen von 0 bis 366 je Jahreszeit.",
        "en": "planned_passes: whole numbers from 0 to 366 per season.",
    },
    "care.geometry_invalid": {
        "de": "Der Verlauf muss eine GeoJSON-Linie oder -Fläche mit 2 bis 1000 Punkten (Länge, Breite) sein.",
        "en": "geometry must be a GeoJSON LineString or Polygon of 2 to 1000 [lon, lat] points.",
    },
    "care.geometry_length": {
        "de": "Der Verlauf ergibt keine Länge zwischen 1 m und {max} m.",
        "en": "The geometry's length must lie between 1 m and {max} m.",
    },
    "care.length_required": {
        "de": "Pflichtfeld. Ohne eingezeichneten Verlauf bitte die Länge angeben.",
        "en": "length_m is required for a section without geometry.",
    },
    "care.winter_fields_only": {
        "de": "Beginn, Ende, Tätigkeit und Streugut gibt es nur beim Winterdienst.",
        "en": "started_at, ended_at, activity, material and amount_kg belong to winter-service sections only.",
    },
    "care.winter_times_required": {
        "de": "Beim Winterdienst bitte Beginn, Ende und Tätigkeit zusammen angeben.",
        "en": "started_at, ended_at and activity go together.",
    },
    "care.winter_end_before_start": {
        "de": "Das Ende muss nach dem Beginn liegen (höchstens 24 Stunden).",
        "en": "ended_at must lie after started_at, at most 24 hours later.",
    },
    "care.winter_start_day": {
        "de": "Der Beginn muss am Arbeitstag {date_de} liegen.",
        "en": "started_at must lie on the work day {date}.",
    },
    "care.winter_future": {
        "de": "Beginn und Ende dürfen nicht in der Zukunft liegen.",
        "en": "started_at and ended_at must not lie in the future.",
    },
    "care.winter_grit_without_gritting": {
        "de": "Streugut und Menge gibt es nur beim Streuen.",
        "en": "material and amount_kg need the activity gritting or both.",
    },
    "care.activity.clearing": {"de": "Räumen", "en": "clearing"},
    "care.activity.gritting": {"de": "Streuen", "en": "gritting"},
    "care.activity.both": {"de": "Räumen und Streuen", "en": "clearing and gritting"},
    "care.track_empty": {
        "de": "Bitte eine GPX-Datei auswählen.", "en": "Please choose a GPX file (form field file).",
    },
    "care.track_too_large": {
        "de": "Die GPX-Datei ist größer als {mb} MB.", "en": "The GPX file is larger than {mb} MB.",
    },
    "care.track_invalid": {
        "de": "Die Datei ist keine lesbare GPX-Datei.", "en": "The file is not a readable GPX file.",
    },
    "care.track_no_points": {
        "de": "Die GPX-Datei enthält keine Trackpunkte.", "en": "The GPX file holds no track points.",
    },
    "care.track_too_many_points": {
        "de": "Die GPX-Datei enthält mehr als {max} Punkte.", "en": "The GPX file holds more than {max} points.",
    },
    "care.section_without_geometry": {
        "de": "Für diesen Abschnitt ist kein Verlauf hinterlegt.", "en": "This section has no geometry.",
    },
    "care.log_confirmed_frozen": {
        "de": "Eine bestätigte Pflegemeldung kann nicht mehr geändert werden.",
        "en": "A confirmed care log can no longer be changed.",
    },
    "care.period_invalid": {
        "de": "Das Ende des Zeitraums liegt vor dem Beginn.",
        "en": "'to' lies before 'from'.",
    },
    "care.period_too_long": {
        "de": "Höchstens {days} Tage je Nachweis.",
        "en": "At most {days} days per proof.",
    },
    "care.format_unknown": {"de": "Unbekanntes Format: {format}.", "en": "Unknown format: {format} (csv or pdf)."},
    "care.reason_required": {"de": "Bitte einen Grund angeben.", "en": "A reason is required."},
    # --- words ------------------------------------------------------------------------------------
    "care.kind.road": {"de": "Straße", "en": "road"},
    "care.kind.path": {"de": "Weg", "en": "path"},
    "care.task.verge_mowing": {"de": "Bankettmahd", "en": "verge mowing"},
    "care.task.hedge_cutting": {"de": "Heckenschnitt", "en": "hedge cutting"},
    "care.task.ditch_clearing": {"de": "Grabenräumung", "en": "ditch clearing"},
    "care.task.winter_service": {"de": "Winterdienst", "en": "winter service"},
    "care.task.other": {"de": "Sonstiges", "en": "other"},
    "care.unit.metre": {"de": "Meter", "en": "metre"},
    "care.unit.hour": {"de": "Stunde", "en": "hour"},
    "care.unit.flat": {"de": "pauschal", "en": "flat"},
    "care.unit_short.metre": {"de": "m", "en": "m"},
    "care.unit_short.hour": {"de": "Std.", "en": "h"},
    "care.unit_short.flat": {"de": "pausch.", "en": "flat"},
    "care.status.reported": {"de": "gemeldet", "en": "reported"},
    "care.status.confirmed": {"de": "bestätigt", "en": "confirmed"},
    "care.status.rejected": {"de": "abgelehnt", "en": "rejected"},
    "care.season.spring": {"de": "Frühjahr", "en": "spring"},
    "care.season.summer": {"de": "Sommer", "en": "summer"},
    "care.season.autumn": {"de": "Herbst", "en": "autumn"},
    "care.season.winter": {"de": "Winter", "en": "winter"},
    "care.state.done": {"de": "erledigt", "en": "done"},
    "care.state.open": {"de": "offen", "en": "open"},
    "care.state.upcoming": {"de": "kommt noch", "en": "upcoming"},
    "care.state.overdue": {"de": "überfällig", "en": "overdue"},
    # --- pages ------------------------------------------------------------------------------------
    "care.my_title": {"de": "Meine Pflegeabschnitte", "en": "My care sections"},
    "care.my_intro": {
        "de": "Melden Sie erledigte Pflegearbeiten; nach Bestätigung durch den Bauhof wird die Gutschrift "
              "Ihrem Konto bei der Gemeinde gutgeschrieben.",
        "en": "Report care work you have done; once the building yard confirms it, it is credited.",
    },
    "care.no_sections": {
        "de": "Ihnen sind derzeit keine Abschnitte zugewiesen.", "en": "No sections are assigned to you.",
    },
    "care.section": {"de": "Abschnitt", "en": "Section"},
    "care.name": {"de": "Bezeichnung", "en": "Name"},
    "care.kind": {"de": "Art", "en": "Kind"},
    "care.length": {"de": "Länge (m)", "en": "Length (m)"},
    "care.task": {"de": "Aufgabe", "en": "Task"},
    "care.unit": {"de": "Einheit", "en": "Unit"},
    "care.rate": {"de": "Vergütung (€ je Einheit)", "en": "Rate (€ per unit)"},
    "care.farmer": {"de": "Landwirt", "en": "Farmer"},
    "care.assigned_since": {"de": "zugewiesen", "en": "assigned"},
    "care.unassigned": {"de": "nicht vergeben", "en": "unassigned"},
    "care.valid_from": {"de": "ab", "en": "from"},
    "care.valid_to": {"de": "bis (leer: unbefristet)", "en": "to (empty: open-ended)"},
    "care.assign": {"de": "Zuweisen", "en": "Assign"},
    "care.due_this_season": {"de": "Diese Saison", "en": "This season"},
    "care.planned": {"de": "geplant", "en": "planned"},
    "care.reported": {"de": "gemeldet", "en": "reported"},
    "care.confirmed": {"de": "bestätigt", "en": "confirmed"},
    "care.passes": {"de": "Durchgänge", "en": "passes"},
    "care.no_plan": {"de": "kein Plan", "en": "no plan"},
    "care.report_title": {"de": "Arbeit melden", "en": "Report work"},
    "care.performed_on": {"de": "Datum der Arbeit", "en": "Date of the work"},
    "care.quantity": {"de": "Menge", "en": "Quantity"},
    "care.quantity_hint": {
        "de": "Meter (höchstens ein Durchgang), Stunden (höchstens 24) oder 1 bei Pauschalen.",
        "en": "Metres (one pass at most), hours (24 at most) or 1 for flat-rate tasks.",
    },
    "care.note": {"de": "Bemerkung", "en": "Note"},
    "care.photo": {"de": "Foto (kann fehlen; JPEG, PNG oder WebP, höchstens {max} MB)", "en": "Photo (optional)"},
    "care.submit_report": {"de": "Meldung absenden", "en": "Submit report"},
    "care.reported_ok": {"de": "Danke, die Meldung ist eingegangen.", "en": "Thank you, the report is in."},
    "care.my_logs": {"de": "Meine Meldungen", "en": "My reports"},
    "care.my_search_placeholder": {"de": "Abschnitt", "en": "Section"},
    "care.date": {"de": "Datum", "en": "Date"},
    "care.status": {"de": "Status", "en": "Status"},
    "care.credit": {"de": "Gutschrift", "en": "Credit"},
    "care.reason": {"de": "Grund", "en": "Reason"},
    "care.show_photo": {"de": "Foto", "en": "Photo"},
    "care.sections_title": {"de": "Pflegeabschnitte", "en": "Care sections"},
    "care.new_section": {"de": "Neuer Abschnitt", "en": "New section"},
    "care.planned_passes": {"de": "Geplante Durchgänge je Jahreszeit", "en": "Planned passes per season"},
    "care.plan_year": {"de": "Pflegeplan {year}", "en": "Care plan {year}"},
    "care.map": {"de": "Karte", "en": "Map"},
    "care.map_title": {"de": "Karte der Pflegeabschnitte", "en": "Map of the care sections"},
    "care.map_empty": {
        "de": "Für keinen Abschnitt ist ein Verlauf hinterlegt.", "en": "No section has a geometry.",
    },
    "care.winter_proof": {"de": "Winterdienst-Nachweis", "en": "Winter-service proof"},
    "care.winter_proof_intro": {
        "de": "Bestätigte Winterdiensteinsätze als Nachweis der Verkehrssicherungspflicht.",
        "en": "Confirmed winter-service work as the record of the road-safety duty.",
    },
    "care.from": {"de": "von", "en": "from"},
    "care.to": {"de": "bis", "en": "to"},
    "care.all_sections": {"de": "alle Abschnitte", "en": "all sections"},
    "care.download_csv": {"de": "CSV herunterladen", "en": "Download CSV"},
    "care.download_pdf": {"de": "PDF herunterladen", "en": "Download PDF"},
    "care.inbox_title": {"de": "Pflegemeldungen zur Bestätigung", "en": "Care reports to confirm"},
    "care.search_placeholder": {"de": "Abschnitt oder Landwirt", "en": "Section or farmer"},
    "care.inbox_empty": {"de": "Keine offenen Meldungen.", "en": "No open reports."},
    "care.confirm": {"de": "Bestätigen", "en": "Confirm"},
    "care.reject": {"de": "Ablehnen", "en": "Reject"},
    "care.recent_decisions": {"de": "Zuletzt entschieden", "en": "Recently decided"},
    "care.confirmed_ok": {"de": "Bestätigt; die Gutschrift ist gebucht.", "en": "Confirmed and credited."},
    "care.rejected_ok": {"de": "Abgelehnt.", "en": "Rejected."},
    "care.assigned_ok": {"de": "Zuweisung gespeichert.", "en": "Assignment saved."},
    "care.section_saved": {"de": "Abschnitt gespeichert.", "en": "Section saved."},
    "care.current_farmer": {"de": "Zuständig", "en": "Responsible"},
    "care.plan_status": {"de": "Plan {year}", "en": "Plan {year}"},
    "care.overdue_count": {"de": "{count} überfällig", "en": "{count} overdue"},
    # --- winter-service proof (CSV/PDF) -----------------------------------------------------------
    "care.proof.title": {
        "de": "Nachweis Winterdienst (Verkehrssicherungspflicht)",
        "en": "Winter-service record (road-safety duty)",
    },
    "care.proof.period": {"de": "Zeitraum: {start} bis {end}", "en": "Period: {start} to {end}"},
    "care.proof.generated": {"de": "Erstellt am {when}", "en": "Generated on {when}"},
    "care.proof.none": {
        "de": "Im Zeitraum sind keine bestätigten Winterdiensteinsätze erfasst.",
        "en": "No confirmed winter-service work in this period.",
    },
    "care.proof.total": {"de": "Einsätze: {count}", "en": "Entries: {count}"},
    "care.proof.signature": {"de": "Ort, Datum, Unterschrift Bauhofleitung", "en": "Place, date, signature"},
    "care.edit": {"de": "Bearbeiten", "en": "Edit"},
    "care.edit_section": {"de": "Abschnitt bearbeiten", "en": "Edit section"},
    "care.active": {"de": "aktiv (Meldungen möglich)", "en": "active"},
    "care.inactive": {"de": "stillgelegt", "en": "inactive"},
    "care.end_on": {"de": "Ende am", "en": "End on"},
    "care.end_assignment": {"de": "Beenden", "en": "End"},
    "care.assignment_ended": {"de": "Zuweisung beendet.", "en": "Assignment ended."},
}

MESSAGES.update({
    "care.farmer_search_placeholder": {"de": "Name oder E-Mail des Landwirts", "en": "Farmer's name or e-mail"},
    "care.farmer_pick": {"de": "Mehrere Treffer – bitte den Landwirt auswählen", "en": "Several matches: pick the farmer"},
    "care.farmer_search_empty": {"de": "Bitte Name oder E-Mail des Landwirts eingeben.", "en": "Enter the farmer's name or e-mail."},
    "care.farmer_not_found": {"de": "Kein Landwirt gefunden zu „{text}“.", "en": "No farmer matches \u201c{text}\u201d."},
    "care.farmer_choose": {"de": "Mehrere Landwirte passen – bitte einen auswählen.", "en": "Several farmers match; pick one."},
    "care.farmer_narrow": {
        "de": "Zu viele Treffer – bitte genauer suchen oder einen der ersten 20 auswählen.",
        "en": "Too many matches; search more precisely or pick one of the first 20.",
    },
})

# --- notices (``notifications.notices``) ----------------------------------------------------------------
MESSAGES.update({
    "notice.care_log_confirmed": {
        "de": "Ihre Pflegearbeit „{section}“ vom {day} ist bestätigt; Gutschrift {credit}.",
        "en": "Your care work on {section} of {day} is confirmed; credit {credit}.",
    },
    "notice.care_log_rejected": {
        "de": "Ihre Pflegearbeit „{section}“ vom {day} wurde nicht bestätigt: {reason}",
        "en": "Your care work on {section} of {day} was rejected: {reason}",
    },
})

MESSAGES.update({
    # --- winter service that holds in court: duty times, gaps, corrections, hashes ----------------
    "care.duty.text": {
        "de": "Pflichtzeiten: werktags bis {workday} Uhr, sonn- und feiertags bis {holiday} Uhr",
        "en": "Duty times: working days by {workday}, Sundays and holidays by {holiday}",
    },
    "care.duty.days.service_days": {
        "de": "Pflichttage: Einsatztage der Gemeinde (Tage mit Winterdienst auf einem ihrer Abschnitte)",
        "en": "duty days: the municipality's service days (days with winter service on any of its sections)",
    },
    "care.duty.days.every_day": {"de": "Pflichttage: jeder Tag des Winters", "en": "duty days: every winter day"},
    "care.duty.state": {"de": ", Feiertage: bundesweit und {state}", "en": ", holidays: nationwide and {state}"},
    "care.duty.per_section": {
        "de": "Pflichtzeiten je Abschnitt (Standard: werktags bis 07:00 Uhr, sonn- und feiertags bis 09:00 Uhr, "
              "an den Einsatztagen der Gemeinde)",
        "en": "Duty times per section (default: working days by 07:00, Sundays and holidays by 09:00, on the "
              "municipality's service days)",
    },
    "care.duty_invalid": {
        "de": "Pflichtzeiten: Uhrzeiten als HH:MM, Pflichttage „service_days“ oder „every_day“.",
        "en": "Duty times: times as HH:MM, days service_days or every_day.",
    },
    "care.duty_workday_by": {"de": "Werktags erledigt bis", "en": "Working days done by"},
    "care.duty_holiday_by": {"de": "Sonn- und feiertags erledigt bis", "en": "Sundays and holidays done by"},
    "care.duty_every_day": {
        "de": "Jeder Wintertag ist Pflichttag (sonst nur Einsatztage der Gemeinde)",
        "en": "Every winter day is a duty day (else only the municipality's service days)",
    },
    "care.gap.missing": {
        "de": "Kein bestätigter Einsatz bis {deadline} Uhr",
        "en": "No confirmed pass by {deadline}",
    },
    "care.gap.unconfirmed": {
        "de": "Einsatz gemeldet, aber nicht bestätigt (Pflicht bis {deadline} Uhr)",
        "en": "Pass reported but not confirmed (due by {deadline})",
    },
    "care.gap.late": {
        "de": "Erster Einsatz erst um {end} Uhr beendet (Pflicht bis {deadline} Uhr)",
        "en": "First pass only ended at {end} (due by {deadline})",
    },
    "care.gap.no_times": {
        "de": "Einsatz ohne Uhrzeiten: Pflicht bis {deadline} Uhr nicht belegt",
        "en": "Pass without clock times: done by {deadline} not shown",
    },
    "care.proof.entry_pass": {"de": "Einsatz", "en": "Pass"},
    "care.proof.entry_correction": {"de": "Korrektur", "en": "Correction"},
    "care.proof.entry_gap": {"de": "Lücke", "en": "Gap"},
    "care.proof.corrects": {"de": "Korrektur zu Nr. {id}", "en": "Corrects no. {id}"},
    "care.proof.corrected_by": {"de": "Korrigiert durch Nr. {id}", "en": "Corrected by no. {id}"},
    "care.proof.hash_differs": {
        "de": "{hash} – ABWEICHUNG: bei der Bestätigung {stored}",
        "en": "{hash} – DIFFERS: at confirmation {stored}",
    },
    "care.proof.gaps_title": {"de": "Lücken: {count}", "en": "Gaps: {count}"},
    "care.proof.no_gaps": {
        "de": "Keine Lücken: an jedem Pflichttag ist ein rechtzeitiger bestätigter Einsatz belegt.",
        "en": "No gaps: every duty day has a confirmed pass in time.",
    },
    "care.proof.hash_note": {
        "de": "SHA-256: Prüfsumme über die kanonische Form des bestätigten Datensatzes (JSON, Schlüssel sortiert, "
              "ohne Leerzeichen, UTF-8; Zeitpunkte in UTC). Bestätigte Datensätze sind in der Datenbank gegen "
              "Änderung und Löschung gesperrt; eine Korrektur ist ein neuer, verknüpfter Datensatz.",
        "en": "SHA-256: checksum over the canonical form of the confirmed record (JSON, keys sorted, no blanks, "
              "UTF-8; instants in UTC). Confirmed records are locked against change and deletion in the "
              "database; a correction is a new, linked record.",
    },
    "care.correct_only_confirmed": {
        "de": "Nur bestätigte Meldungen werden korrigiert; offene Meldungen werden bestätigt oder abgelehnt.",
        "en": "Only confirmed care logs are corrected; open ones are confirmed or rejected.",
    },
    "care.already_corrected": {
        "de": "Zu dieser Meldung gibt es bereits eine Korrektur (Nr. {id}); bitte diese korrigieren.",
        "en": "This care log already has a correction (no. {id}); correct that one.",
    },
    "care.correct_winter_only": {
        "de": "Korrekturen als neuer Datensatz gibt es für Winterdienst-Meldungen.",
        "en": "Corrections as a new record exist for winter-service logs.",
    },
    # --- GIS import --------------------------------------------------------------------------------
    "care.import_no_projection": {
        "de": "Die Datei nennt kein bekanntes Koordinatensystem (Projektion). Bitte aus dem GIS als GeoJSON in "
              "WGS 84 (RFC 7946) oder als GeoPackage mit Koordinatensystem, z. B. ETRS89 / UTM 32N "
              "(EPSG:25832) oder 33N (EPSG:25833), exportieren.",
        "en": "The file names no known coordinate reference system (projection). Export it from the GIS as "
              "GeoJSON in WGS 84 (RFC 7946) or as a GeoPackage with its CRS, e.g. ETRS89 / UTM 32N (EPSG:25832) "
              "or 33N (EPSG:25833).",
    },
    "care.import_unknown_format": {
        "de": "Die Datei ist weder GeoJSON noch GeoPackage noch ein Shapefile als ZIP.",
        "en": "The file is neither GeoJSON nor a GeoPackage nor a zipped Shapefile.",
    },
    "care.import_empty_file": {"de": "Bitte eine Datei auswählen.", "en": "Choose a file."},
    "care.import_nothing": {
        "de": "Die Datei enthält keine Linien oder Flächen, aus denen Abschnitte werden könnten.",
        "en": "The file holds no lines or polygons to make sections of.",
    },
    "care.import_bad_geometry": {
        "de": "Die Geometrie von „{name}“ ist unbrauchbar ({reason}).",
        "en": "The geometry of \u201c{name}\u201d is unusable ({reason}).",
    },
    "care.import_too_many_points": {
        "de": "„{name}“ hat zu viele Stützpunkte (höchstens {max} je Linie).",
        "en": "\u201c{name}\u201d has too many vertices (at most {max} per line).",
    },
    "care.import_too_many": {
        "de": "Höchstens {max} Abschnitte je Datei.",
        "en": "At most {max} sections per file.",
    },
    "care.import_too_large": {"de": "Die Datei ist größer als {mb} MB.", "en": "The file is larger than {mb} MB."},
    "care.import_municipality": {"de": "Bitte die Gemeinde angeben.", "en": "Name the municipality_id."},
    # --- the map -----------------------------------------------------------------------------------
    "care.map_status.done": {"de": "erledigt", "en": "done"},
    "care.map_status.open": {"de": "offen", "en": "open"},
    "care.map_status.overdue": {"de": "überfällig", "en": "overdue"},
    "care.map_status.upcoming": {"de": "steht an", "en": "upcoming"},
    "care.map_status.none": {"de": "ohne Plan in dieser Jahreszeit", "en": "no plan this season"},
    "care.map_status.inactive": {"de": "stillgelegt", "en": "inactive"},
    "care.map_label": {"de": "Karte der Abschnitte", "en": "Map of the sections"},
    "care.map_list": {"de": "Abschnitte als Liste", "en": "Sections as a list"},
    "care.map_no_geometry": {"de": "ohne Verlauf (nicht auf der Karte)", "en": "no course (not on the map)"},
    "care.map_legend": {"de": "Planstand {season}", "en": "Plan status {season}"},
    # --- a pass's GPS track on the map -----------------------------------------------------------------
    "care.coverage_share": {"de": "{percent} % des Abschnitts befahren", "en": "{percent} % of the section covered"},
    "care.coverage_title": {"de": "GPS-Spur auf der Karte", "en": "GPS track on the map"},
    "care.coverage_detail": {
        "de": "{covered} m von {length} m des Abschnitts lagen höchstens {tolerance} m neben der GPS-Spur.",
        "en": "{covered} m of the section's {length} m lay within {tolerance} m of the GPS track.",
    },
    "care.coverage_recorded": {
        "de": "Bei der Meldung festgehalten: {percent} % – der Verlauf des Abschnitts wurde seitdem geändert.",
        "en": "Recorded with the report: {percent} % – the section's course has changed since.",
    },
    "care.coverage_track": {"de": "GPS-Spur", "en": "GPS track"},
    "care.coverage_covered": {"de": "befahren", "en": "covered"},
    "care.coverage_uncovered": {"de": "nicht befahren", "en": "not covered"},
    "care.coverage_list": {"de": "Strecken des Abschnitts als Liste", "en": "Stretches of the section as a list"},
    "care.coverage_state": {"de": "Strecke", "en": "Stretch"},
    "care.coverage_from": {"de": "von (m)", "en": "from (m)"},
    "care.coverage_to": {"de": "bis (m)", "en": "to (m)"},
    "care.coverage_map_label": {
        "de": "Karte: GPS-Spur und befahrene Strecken des Abschnitts (als Liste unter der Karte)",
        "en": "Map: GPS track and covered stretches of the section (listed below the map)",
    },
    "care.coverage_link": {"de": "GPS-Spur auf der Karte", "en": "GPS track on the map"},
    "care.coverage_latest": {"de": "Letzte GPS-Spur", "en": "Latest GPS track"},
    "care.coverage_pass": {"de": "Fahrt vom {date}", "en": "Pass of {date}"},
    "care.coverage_by": {"de": "gemeldet von {farmer}", "en": "reported by {farmer}"},
    "care.my_map": {"de": "Meine Abschnitte auf der Karte", "en": "My sections on the map"},
    "care.my_position": {"de": "Mein Standort", "en": "My position"},
    "care.position_denied": {
        "de": "Der Standort ist nicht verfügbar (Freigabe im Browser erteilen).",
        "en": "Position unavailable (allow it in the browser).",
    },
    "care.draw_title": {"de": "Verlauf auf der Karte", "en": "Course on the map"},
    "care.draw_hint": {
        "de": "„Linie zeichnen“ oder „Fläche zeichnen“, dann Punkte in die Karte klicken; Punkte lassen sich "
              "verschieben. Die Länge berechnet der Server aus dem Verlauf. Speichern übernimmt den Verlauf.",
        "en": "Choose draw line or draw area, then click points into the map; points can be dragged. The "
              "server computes the length from the course. Save keeps the course.",
    },
    "care.draw_line": {"de": "Linie zeichnen", "en": "Draw line"},
    "care.draw_area": {"de": "Fläche zeichnen", "en": "Draw area"},
    "care.draw_undo": {"de": "Letzten Punkt entfernen", "en": "Remove last point"},
    "care.draw_clear": {"de": "Verlauf löschen", "en": "Clear course"},
    "care.import_title": {"de": "Abschnitte aus dem GIS importieren", "en": "Import sections from the GIS"},
    "care.import_nav": {"de": "GIS-Import", "en": "GIS import"},
    "care.import_intro": {
        "de": "GeoJSON (RFC 7946, WGS 84), GeoPackage oder Shapefile (ZIP) in ETRS89 / UTM 32N (EPSG:25832) "
              "oder 33N (EPSG:25833). Längen und Flächen werden aus der Geometrie berechnet. Vor dem Import zeigt eine "
              "Vorschau, was angelegt wird.",
        "en": "GeoJSON (RFC 7946, WGS 84), GeoPackage or Shapefile (ZIP) in ETRS89 / UTM 32N (EPSG:25832) or "
              "33N (EPSG:25833). "
              "Lengths and areas are computed from the geometry. A preview shows what will be created.",
    },
    "care.import_file": {
        "de": "Datei (.geojson, .json, .gpkg oder Shapefile als .zip mit .shp, .dbf, .prj)",
        "en": "File (.geojson, .json, .gpkg, or a Shapefile as .zip with .shp, .dbf, .prj)",
    },
    "care.import_preview": {"de": "Vorschau", "en": "Preview"},
    "care.import_do": {"de": "{count} Abschnitte anlegen", "en": "Create {count} sections"},
    "care.import_crs": {"de": "Koordinatensystem der Datei: {crs}", "en": "File's coordinate system: {crs}"},
    "care.import_skipped": {
        "de": "{count} Objekte ohne Linie oder Fläche (z. B. Punkte) werden übergangen.",
        "en": "{count} features without a line or polygon (e.g. points) are skipped.",
    },
    "care.import_done": {"de": "{count} Abschnitte angelegt.", "en": "{count} sections created."},
    "care.area": {"de": "Fläche (m²)", "en": "Area (m²)"},
    # --- winter details in the farmer's report form ----------------------------------------------
    "care.winter_fields": {"de": "Winterdienst", "en": "Winter service"},
    "care.winter_fields_hint": {
        "de": "Nur für Winterdienst-Abschnitte: Beginn und Ende des Einsatzes, Tätigkeit, Streugut und Menge. "
              "Die Uhrzeiten sind der Nachweis gegenüber Gerichten.",
        "en": "Winter-service sections only: start and end of the pass, activity, grit and amount. The clock "
              "times are the evidence in court.",
    },
    "care.started_at": {"de": "Beginn", "en": "Start"},
    "care.ended_at": {"de": "Ende", "en": "End"},
    "care.activity": {"de": "Tätigkeit", "en": "Activity"},
    "care.material": {"de": "Streugut", "en": "Grit"},
    "care.amount_kg": {"de": "Streumenge (kg)", "en": "Amount (kg)"},
    "care.track_missing": {"de": "Zu dieser Meldung ist keine GPS-Spur gespeichert.", "en": "No GPS track is kept with this care log."},
    "care.proof.track": {"de": "GPS-Spur: {percent} % des Abschnitts", "en": "GPS track: {percent} % of the section"},
    "care.road.snow": {"de": "Schnee", "en": "snow"},
    "care.road.slush": {"de": "Schneematsch", "en": "slush"},
    "care.road.ice": {"de": "Eisglätte", "en": "ice"},
    "care.road.black_ice": {"de": "Glatteis", "en": "black ice"},
    "care.road.frost": {"de": "Reifglätte", "en": "hoarfrost"},
    "care.road.dry": {"de": "trocken", "en": "dry"},
    "care.weather": {"de": "Wetter (z. B. −4 °C, Schneefall)", "en": "Weather (e.g. −4 °C, snowfall)"},
    "care.road_condition": {"de": "Straßenzustand", "en": "Road condition"},
    "care.correct": {"de": "Korrigieren", "en": "Correct"},
    "care.correct_title": {"de": "Winterdiensteinsatz korrigieren", "en": "Correct a winter-service pass"},
    "care.correct_intro": {
        "de": "Der bestätigte Einsatz bleibt unverändert; die Korrektur wird ein neuer, mit ihm verknüpfter und "
              "sofort bestätigter Datensatz. Der Nachweis zeigt beide.",
        "en": "The confirmed pass stays as it is; the correction becomes a new record linked to it, confirmed at "
              "once. The proof shows both.",
    },
    "care.correct_reason": {"de": "Grund der Korrektur", "en": "Reason for the correction"},
    "care.correct_save": {"de": "Korrektur speichern", "en": "Save correction"},
    "care.corrected_ok": {"de": "Korrektur gespeichert.", "en": "Correction saved."},
    "care.geometry_label": {
        "de": "Verlauf als GeoJSON (Linie oder Fläche, freiwillig)",
        "en": "Course as GeoJSON (line or area, optional)",
    },
})
