"""Imports every model so that metadata, mappers and Alembic see the whole schema."""

from vendorguard.api.models import ApiRateWindow  # noqa: F401
from vendorguard.apitokens.models import ApiToken  # noqa: F401
from vendorguard.approvals.models import ApprovalRequest  # noqa: F401
from vendorguard.arrangements.models import Arrangement  # noqa: F401
from vendorguard.assessments.models import Action, Assessment  # noqa: F401
from vendorguard.audit.models import AuditEvent, AuditHead  # noqa: F401
from vendorguard.auth.models import LoginFailure, User  # noqa: F401
from vendorguard.catalog.models import Clause, ClauseVersion, Requirement, Waiver  # noqa: F401
from vendorguard.city.models import CityProfile  # noqa: F401
from vendorguard.classification.models import ClassificationLevel, ClassificationScheme  # noqa: F401
from vendorguard.cloud.models import CloudService  # noqa: F401
from vendorguard.contractors.models import Certification, Contractor  # noqa: F401
from vendorguard.core.changes import ChangeMarker  # noqa: F401
from vendorguard.documents.models import BulkJob, ContractDocument  # noqa: F401
from vendorguard.engagements.models import Engagement, InformationItem, Subcontractor  # noqa: F401
from vendorguard.evidence.models import (  # noqa: F401
    EvidenceFile,
    EvidenceRequest,
    EvidenceRequirement,
    EvidenceStanding,
    EvidenceSubmission,
    UploadLink,
)
from vendorguard.imports.models import ImportBatch, ImportRun  # noqa: F401
from vendorguard.inspections.models import (  # noqa: F401
    Inspection,
    InspectionItem,
    InspectionPhoto,
)
from vendorguard.ismap.models import IsmapImport, IsmapRegistration  # noqa: F401
from vendorguard.mfa.models import RecoveryCode, TotpCredential  # noqa: F401
from vendorguard.org.models import Department  # noqa: F401
from vendorguard.portal.models import Invitation  # noqa: F401
from vendorguard.questionnaires.models import (  # noqa: F401
    Answer,
    AnswerFile,
    Question,
    QuestionnaireRequest,
    QuestionnaireTemplate,
    Section,
    TemplateVersion,
)
from vendorguard.reminders.models import (  # noqa: F401
    CalendarFeed,
    Notification,
    ReminderPreference,
    ReminderSetting,
)
from vendorguard.social.models import (  # noqa: F401
    SocialAccount,
    SocialAttestation,
    SocialIncident,
    SocialIncidentStep,
    SocialProcedureFile,
)
from vendorguard.sso.models import SsoIdentity, SsoProvider, SsoRoleMapping  # noqa: F401
from vendorguard.supervision.models import (  # noqa: F401
    ExitChecklist,
    ExitItem,
    StaffMember,
    TrainingRecord,
)
from vendorguard.tiers.models import (  # noqa: F401
    EngagementCloudService,
    EngagementTier,
    TierPolicy,
    TierRule,
)
