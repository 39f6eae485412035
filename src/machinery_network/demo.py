"""The demo network: three neighbouring municipalities in the Werra valley sharing their building yards.

Idempotent: every row is looked up by its natural key first, so running it twice gives the same data.
Rates are plausible cost prices (Selbstkostenpreise) of municipal building yards, net in cents.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network import clock, validators
from machinery_network._sa import row_id
from machinery_network.accounts.models import Municipality, Role, User
from machinery_network.accounts.security import hash_password_async
from machinery_network.auth import SYSTEM
from machinery_network.care.models import Assignment, Section
from machinery_network.catalogue.models import Item
from machinery_network.config import Settings
from machinery_network.db import use_network
from machinery_network.mandates import partners
from machinery_network.mandates import service as mandates

DEMO_PASSWORD = "demo-passwort"

MUNICIPALITIES = [
    # name, IBAN, BIC, creditor id, address
    ("Gerstungen", "DE89370400440532013000", "COBADEFFXXX", "DE98ZZZ09999999999",
     "Gemeinde Gerstungen · Wilhelmstraße 53 · 99834 Gerstungen"),
    ("Berka/Werra", "DE12500105170648489890", "INGDDEFFXXX", "DE32ZZZ00000123456",
     "Stadt Berka/Werra · Marktplatz 1 · 99837 Berka/Werra"),
    ("Heringen (Werra)", "DE02120300000000202051", "BYLADEM1001", "DE76ZZZ00000654321",
     "Stadt Heringen (Werra) · Obertor 11 · 36266 Heringen"),
]

# municipality index, name, kind, unit, rate ct, operator rate ct, VAT %, description
ITEMS = [
    (0, "Traktor 120 PS mit Mulcher", "machine", "hour", 4800, 3900, 19, "Fendt 313 mit Seitenmulcher, 2,2 m Arbeitsbreite"),
    (0, "Böschungsmäher (Auslegemäher)", "machine", "hour", 5600, 3900, 19, "Ausleger 6,5 m für Gräben und Böschungen"),
    (0, "Kehrmaschine", "machine", "hour", 6500, 3900, 19, "Aufsitz-Kehrmaschine für Hof- und Wegeflächen"),
    (0, "Frontlader mit Palettengabel", "machine", "day", 18000, 3900, 19, "Radlader 5 t mit Schaufel und Gabel"),
    (0, "Bauhof-Kolonne (Mitarbeiterstunde)", "service", "hour", 3900, None, 0, "Facharbeiter des Bauhofs, je Person"),
    (0, "Mulchen von Feldwegen", "service", "km", 9500, None, 19, "Beidseitiges Mulchen inkl. Fahrer"),
    (1, "Unimog mit Schneepflug und Streuer", "machine", "hour", 7800, 3900, 19, "Winterdienst-Unimog U 400"),
    (1, "Heckenschere am Ausleger", "machine", "hour", 5200, 3900, 19, "Astschere bis 8 cm Astdurchmesser"),
    (1, "Grabenfräse", "machine", "day", 24000, 3900, 19, "Grabenräumung und -profilierung"),
    (1, "Häcksler (Holzhacker)", "machine", "day", 16500, 3900, 19, "Zapfwellenhäcksler bis 20 cm"),
    (1, "Wiesenschleppe", "machine", "hectare", 1800, None, 19, "6 m Arbeitsbreite"),
    (1, "Transport mit Kipper", "service", "km", 240, None, 19, "Dreiseitenkipper 14 t mit Fahrer"),
    (2, "Walze (Glattwalze)", "machine", "day", 9500, 3900, 19, "Anhängewalze für Wegebau"),
    (2, "Minibagger 3 t", "machine", "day", 14500, 3900, 19, "Mit Tieflöffel und Grabenräumlöffel"),
    (2, "Wasserfass 10.000 l", "machine", "day", 6000, None, 19, "Für Weidetränke und Baumbewässerung"),
    (2, "Hochdruckreiniger mobil", "machine", "flat", 3500, None, 19, "Pauschal je Ausleihe inkl. Anhänger"),
    (2, "Schlegelmulcher (Anbaugerät)", "machine", "hectare", 4200, None, 19, "Anbaumulcher 2,8 m, ohne Traktor"),
    (2, "Wegebau-Kolonne (Mitarbeiterstunde)", "service", "hour", 4100, None, 0, "Mitarbeiter mit Kleingerät"),
]

FARMERS = [
    ("Karl Hartung", "DE02500105170137075030"),
    ("Marie Wenzel", "DE44500105175407324931"),
    ("Jonas Eckhardt", "DE02100500000054540402"),
    ("Heike Rommel", "DE02300209000106531065"),
    ("Thomas Nüßlein", "DE02200505501015871393"),
    ("Sabine Kellermann", "DE02700100800030876808"),
    ("Wilhelm Otto", "DE02370501980001802057"),
    ("Anja Reinhardt", "DE02600501010002034304"),
    ("Lukas Bierschenk", "DE91100000000123456789"),
    ("Petra Schanz", "DE02701500000000594937"),
    ("Agrargenossenschaft Werratal eG", "DE27100777770209299700"),
    ("Bernd Fischer", None),  # no IBAN yet: shows up as an exception in the SEPA exports
]

# municipality index, name, kind, length m, task, unit, rate ct, planned passes, farmer index
SECTIONS = [
    (0, "Feldweg Am Rasdorfer Berg", "path", 1200, "verge_mowing", "metre", 12, {"summer": 2}, 0),
    (0, "K 21 Bankett Richtung Lauchröden", "road", 850, "verge_mowing", "metre", 15, {"summer": 2}, 1),
    (0, "Hecke am Sportplatzweg", "path", 300, "hedge_cutting", "hour", 3500, {"winter": 1}, 2),
    (1, "Graben Hohe Straße", "path", 640, "ditch_clearing", "metre", 40, {"autumn": 1}, 3),
    (1, "Wirtschaftsweg Dippach", "path", 1500, "winter_service", "hour", 5200, {"winter": 10}, 4),
    (1, "Feldweg Werraaue", "path", 900, "verge_mowing", "metre", 12, {"summer": 2}, 5),
    (2, "Ortsverbindung Widdershausen", "road", 1100, "winter_service", "hour", 5200, {"winter": 10}, 6),
    (2, "Hecke Kirchweg", "path", 250, "hedge_cutting", "flat", 9000, {"winter": 1}, 7),
    (2, "Graben Am Kalimandscharo", "path", 700, "ditch_clearing", "metre", 40, {"autumn": 1}, 10),
]

# Section courses (GeoJSON LineString, lon/lat) drawn on the yard head's map; lengths match length_m.
SECTION_GEOMETRY = {
    "Feldweg Am Rasdorfer Berg": [[10.045, 50.958], [10.04995, 50.9598], [10.05531, 50.96103], [10.05999, 50.96309]],
    "K 21 Bankett Richtung Lauchröden": [[10.072, 50.968], [10.07629, 50.9707], [10.08094, 50.97316]],
    "Hecke am Sportplatzweg": [[10.061, 50.962], [10.06522, 50.96153]],
    "Graben Hohe Straße": [[10.066, 50.945], [10.06886, 50.94566], [10.07186, 50.94599], [10.07462, 50.9468]],
    "Wirtschaftsweg Dippach": [
        [10.04, 50.925], [10.04344, 50.92758], [10.04782, 50.92952], [10.05161, 50.9319], [10.05467, 50.93467]
    ],
    "Feldweg Werraaue": [[10.08, 50.952], [10.08427, 50.95176], [10.08848, 50.95223], [10.0927, 50.95176]],
    "Ortsverbindung Widdershausen": [[9.985, 50.885], [9.98761, 50.88786], [9.99131, 50.89019], [9.99467, 50.89271]],
    "Hecke Kirchweg": [[10.001, 50.888], [10.00409, 50.88688]],
    "Graben Am Kalimandscharo": [[9.988, 50.897], [9.99121, 50.89754], [9.9941, 50.89859], [9.99737, 50.89896]],
}


WERRA, RHOEN = "Werratal", "Rhön"
# Werra valley items lent to the Rhön's farmers under the agreement.
SHARED_ITEMS = {"Grabenfräse", "Minibagger 3 t", "Häcksler (Holzhacker)"}
SECOND_MUNICIPALITIES = [
    ("Tann (Rhön)", "DE75512108001245126199", "SOGEDEFFXXX", "DE25ZZZ00000112233",
     "Stadt Tann (Rhön) · Schloßstraße 4 · 36142 Tann"),
    ("Hilders", "DE88100900001234567892", "BEVODEBBXXX", "DE82ZZZ00000445566",
     "Marktgemeinde Hilders · Kirchstraße 2 · 36115 Hilders"),
]
# municipality index, name, kind, unit, rate ct, operator rate ct, VAT %, shared with the Werra valley
SECOND_ITEMS = [
    (0, "Traktor 90 PS mit Frontmähwerk", "machine", "hour", 4200, 3900, 19, True),
    (0, "Holzspalter", "machine", "day", 5500, None, 19, False),
    (1, "Schneefräse", "machine", "hour", 6900, 3900, 19, True),
    (1, "Bauhof-Kolonne (Mitarbeiterstunde)", "service", "hour", 3800, None, 0, False),
]
SECOND_FARMERS = [
    ("Elke Leibold", "DE68210501700012345678"),
    ("Rhönschaf-Hof Weber", "DE29100100100987654321"),
]


@dataclass
class DemoLogin:
    email: str
    role: str
    name: str
    municipality: str | None


def _slug(text: str) -> str:
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", " ": "-", "/": "-", "(": "", ")": ""})
    return text.lower().translate(table)


async def _user(session: AsyncSession, password_hash: str, *, email: str, name: str, role: str,
                municipality_id: int | None = None, iban: str | None = None) -> User:
    user = await session.scalar(select(User).where(col(User.email) == email))
    if user is None:
        user = User(email=email, name=name, role=role, municipality_id=municipality_id, iban=iban,
                    password_hash=password_hash)
        session.add(user)
        await session.flush()
    return user


async def _network(session: AsyncSession, name: str, *, first: bool = False) -> int:
    """The demo network called ``name``; the Werra valley takes over an installation's first, still
    unnamed network ("Netzwerk") rather than leaving it empty beside the demo."""
    from machinery_network.networks.models import Network

    network = await session.scalar(select(Network).where(col(Network.name) == name))
    if network is None and first:
        only = list(await session.scalars(select(Network).order_by(col(Network.id)).limit(2)))
        if len(only) == 1 and only[0].name == "Netzwerk":
            network = only[0]
            network.name = name
    if network is None:
        network = Network(name=name)
        session.add(network)
    await session.flush()
    return network.id or 0


async def load_demo(session: AsyncSession, settings: Settings) -> list[DemoLogin]:
    """Create the demo networks where they are missing: the Werra valley and the Rhön, with an agreement
    between them; return the logins (all share DEMO_PASSWORD)."""
    werra = await _network(session, WERRA, first=True)
    rhoen = await _network(session, RHOEN)
    await use_network(session, werra)
    logins = await _load_werra(session, settings)
    await use_network(session, rhoen)
    logins += await _load_second(session)
    await _agreement(session, werra, rhoen)
    await use_network(session, werra)
    return logins


async def _agreement(session: AsyncSession, werra: int, rhoen: int) -> None:
    from machinery_network.networks.models import Agreement, AgreementState

    exists = await session.scalar(select(col(Agreement.id)).where(col(Agreement.network_id) == werra,
                                                                  col(Agreement.other_network_id) == rhoen))
    if exists is None:
        now = clock.now()
        session.add(Agreement(network_id=werra, other_network_id=rhoen, state=AgreementState.active,
                              confirmed_at=now))
        await session.flush()


async def _load_second(session: AsyncSession) -> list[DemoLogin]:
    """The second network: two municipalities of the Rhön, a few machines (some shared), two farmers."""
    password_hash = await hash_password_async(DEMO_PASSWORD)
    logins: list[DemoLogin] = []
    municipalities: list[Municipality] = []
    for name, iban, bic, creditor_id, address in SECOND_MUNICIPALITIES:
        municipality = await session.scalar(select(Municipality).where(col(Municipality.name) == name))
        if municipality is None:
            municipality = Municipality(name=name, iban=iban, bic=bic, creditor_id=creditor_id, address=address)
            session.add(municipality)
            await session.flush()
        municipalities.append(municipality)
    admin = await _user(session, password_hash, email="admin@rhoen.example", name="Verwaltung Rhön",
                        role=Role.admin)
    logins.append(DemoLogin(admin.email, admin.role, admin.name, None))
    head = await _user(session, password_hash, email="bauhof@tann.example", name="Jörg Hohmann",
                       role=Role.yard_head, municipality_id=row_id(municipalities[0]))
    logins.append(DemoLogin(head.email, head.role, head.name, municipalities[0].name))
    for name, iban in SECOND_FARMERS:
        farmer = await _user(session, password_hash, email=f"{_slug(name).replace('-', '.')}@rhoen.example",
                             name=name, role=Role.farmer, iban=iban)
        logins.append(DemoLogin(farmer.email, Role.farmer, name, None))
    for index, name, kind, unit, rate, operator_rate, vat, shared in SECOND_ITEMS:
        municipality_id = row_id(municipalities[index])
        exists = await session.scalar(
            select(col(Item.id)).where(col(Item.municipality_id) == municipality_id, col(Item.name) == name))
        if not exists:
            session.add(Item(municipality_id=municipality_id, name=name, kind=kind, unit=unit, rate_cents=rate,
                             operator_rate_cents=operator_rate, vat_percent=Decimal(vat), shared=shared))
    await session.flush()
    return logins


async def _load_werra(session: AsyncSession, settings: Settings) -> list[DemoLogin]:
    password_hash = await hash_password_async(DEMO_PASSWORD)
    logins: list[DemoLogin] = []
    municipalities: list[Municipality] = []
    for name, iban, bic, creditor_id, address in MUNICIPALITIES:
        municipality = await session.scalar(select(Municipality).where(col(Municipality.name) == name))
        if municipality is None:
            municipality = Municipality(name=name, iban=iban, bic=bic, creditor_id=creditor_id, address=address)
            session.add(municipality)
            await session.flush()
        elif not validators.creditor_id_valid(municipality.creditor_id):
            municipality.creditor_id = creditor_id  # earlier demos carried wrong check digits
        municipalities.append(municipality)

    admin = await _user(session, password_hash, email="admin@werratal.example", name="Netzwerk-Verwaltung",
                        role=Role.admin)
    logins.append(DemoLogin(admin.email, admin.role, admin.name, None))
    heads = ["Uwe Brandt", "Steffen Kühn", "Ralf Möller"]
    treasurers = ["Claudia Vogt", "Ines Lorenz", "Martina Schäfer"]
    for municipality, head, treasurer in zip(municipalities, heads, treasurers, strict=True):
        slug = _slug(municipality.name.split(" ")[0])
        for role, person in ((Role.yard_head, head), (Role.finance, treasurer)):
            prefix = "bauhof" if role == Role.yard_head else "kaemmerei"
            user = await _user(session, password_hash, email=f"{prefix}@{slug}.example", name=person, role=role,
                               municipality_id=row_id(municipality))
            logins.append(DemoLogin(user.email, role, person, municipality.name))

    farmers: list[User] = []
    for name, farmer_iban in FARMERS:
        email = f"{_slug(name.split(' eG')[0]).replace('-', '.')}@landwirt.example"
        farmer = await _user(session, password_hash, email=email, name=name, role=Role.farmer, iban=farmer_iban)
        farmers.append(farmer)
        logins.append(DemoLogin(farmer.email, Role.farmer, name, None))

    for index, name, kind, unit, rate, operator_rate, vat, description in ITEMS:
        municipality_id = row_id(municipalities[index])
        exists = await session.scalar(
            select(col(Item.id)).where(col(Item.municipality_id) == municipality_id, col(Item.name) == name)
        )
        if not exists:
            session.add(Item(municipality_id=municipality_id, name=name, kind=kind, unit=unit, rate_cents=rate,
                             operator_rate_cents=operator_rate, vat_percent=Decimal(vat), description=description,
                             shared=name in SHARED_ITEMS))

    for index, name, kind, length, task, unit, rate, passes, farmer_index in SECTIONS:
        municipality_id = row_id(municipalities[index])
        section = await session.scalar(
            select(Section).where(col(Section.municipality_id) == municipality_id, col(Section.name) == name)
        )
        if section is None:
            section = Section(municipality_id=municipality_id, name=name, kind=kind, length_m=length, task=task,
                              unit=unit, rate_cents=rate, planned_passes=passes)
            session.add(section)
            await session.flush()
            session.add(Assignment(section_id=row_id(section), farmer_id=row_id(farmers[farmer_index]),
                                   valid_from=date(2026, 1, 1)))
        if section.geometry is None and name in SECTION_GEOMETRY:
            section.geometry = {"type": "LineString", "coordinates": SECTION_GEOMETRY[name]}
    await session.flush()
    from machinery_network.bookings.demo import load_demo_bookings, load_demo_draws

    await load_demo_bookings(session, farmers, settings)  # bookings of the past months and the coming weeks
    await load_demo_draws(session, farmers, settings)  # a contested mower: last week's draw, next week's requests
    await _mandates(session, municipalities, farmers)
    return logins


async def _mandates(session: AsyncSession, municipalities: list[Municipality], farmers: list[User]) -> None:
    """Every farmer with an IBAN signed a mandate with each municipality he deals with (its partners);
    the municipality's finance office recorded it from the paper form."""
    for municipality in municipalities:
        municipality_id = row_id(municipality)
        partner_ids = await partners.partner_ids(session, municipality_id)
        prefix = _slug(municipality.name.split(" ")[0].split("/")[0])[:4].upper()
        for farmer in farmers:
            farmer_id = row_id(farmer)
            if farmer.iban is None or farmer_id not in partner_ids:
                continue
            if await mandates.active_mandate(session, municipality_id, farmer_id) is None:
                await mandates.create_mandate(
                    session, SYSTEM, farmer_id=farmer_id, municipality_id=municipality_id,
                    reference=f"{prefix}-LS-{farmer_id:05d}", signed_on=date(2026, 1, 15),
                )
    await session.flush()


def format_logins(logins: list[DemoLogin]) -> str:
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    for login in logins:
        where = f" · {login.municipality}" if login.municipality else ""
        lines.append(f"  {login.role:<10} {login.email:<42} {login.name}{where}")
    return "\n".join(lines)
