"""Every table model, imported once so SQLModel.metadata (app, Alembic, tests) sees all tables."""

from machinery_network.accounts.models import (
    ApiToken,
    DatevDebtor,
    LoginAttempt,
    Municipality,
    PasswordReset,
    Role,
    User,
    UserChange,
)
from machinery_network.bookings.draw_models import BookingSeries, ContestedSeason, Draw, DrawEntry
from machinery_network.bookings.models import Block, Booking, BookingEvent, BookingStatus, Occupancy
from machinery_network.care.models import Assignment, CareLog, CareLogStatus, CareTask, Section
from machinery_network.catalogue.models import Item, ItemKind, ItemRate, ItemUnit
from machinery_network.costing.models import CostCalculation
from machinery_network.idempotency import IdempotencyKey
from machinery_network.ledger.models import EntryKind, LedgerEntry
from machinery_network.machine.models import (
    Defect,
    DefectBooking,
    Handover,
    HandoverPhoto,
    HandoverSurcharge,
    MaintenanceInterval,
    Repair,
)
from machinery_network.mandates.models import Mandate, MandateState, Partner, PartnerHow
from machinery_network.networks.models import Agreement, AgreementState, Network
from machinery_network.notifications.models import Notice, OutboxMessage
from machinery_network.settlement.models import Settlement, SettlementLine, SettlementRun

__all__ = [
    "Agreement",
    "AgreementState",
    "ApiToken",
    "Assignment",
    "Block",
    "Booking",
    "BookingEvent",
    "BookingSeries",
    "BookingStatus",
    "CareLog",
    "CareLogStatus",
    "CareTask",
    "ContestedSeason",
    "CostCalculation",
    "DatevDebtor",
    "Defect",
    "DefectBooking",
    "Draw",
    "DrawEntry",
    "EntryKind",
    "Handover",
    "HandoverPhoto",
    "HandoverSurcharge",
    "IdempotencyKey",
    "Item",
    "ItemKind",
    "ItemRate",
    "ItemUnit",
    "LedgerEntry",
    "LoginAttempt",
    "MaintenanceInterval",
    "Mandate",
    "MandateState",
    "Municipality",
    "Network",
    "Notice",
    "Occupancy",
    "OutboxMessage",
    "Partner",
    "PartnerHow",
    "PasswordReset",
    "Repair",
    "Role",
    "Section",
    "Settlement",
    "SettlementLine",
    "SettlementRun",
    "User",
    "UserChange",
]
