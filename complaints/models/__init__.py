"""The database models, one module per area. Importing this package registers every table."""

from complaints.models.case import ENCRYPTED_FIELDS, Case, RegisterCounter
from complaints.models.importing import ImportBatch, ImportMapping
from complaints.models.keys import DataKeyRecord
from complaints.models.rate_limit import RateLimitCounter
from complaints.models.reference import Agency, Category, Zone
from complaints.models.survey import (
    SurveyAnswer,
    SurveyParticipation,
    SurveyPendingResponse,
    SurveyQuestion,
    SurveyResponse,
    SurveyRound,
)
from complaints.models.user import RecoveryCode, User, UserAgency, UserRole, UserSession, UserZone

__all__ = [
    "ENCRYPTED_FIELDS",
    "Agency",
    "Case",
    "RateLimitCounter",
    "RecoveryCode",
    "RegisterCounter",
    "Category",
    "DataKeyRecord",
    "ImportBatch",
    "ImportMapping",
    "SurveyAnswer",
    "SurveyParticipation",
    "SurveyPendingResponse",
    "SurveyQuestion",
    "SurveyResponse",
    "SurveyRound",
    "User",
    "UserAgency",
    "UserRole",
    "UserSession",
    "UserZone",
    "Zone",
]
