"""The registry's models, each in the folder of its job; re-exported here so that Django finds them
and the rest of the project imports them from one place. The app label stays "registry", so the
tables and migrations are unchanged."""

from .cards.models import BatchState, CardBatch  # noqa: F401
from .casework.models import (  # noqa: F401
    AssessmentState,
    Assistance,
    AssistanceFollowUp,
    AssistanceState,
    RiskAssessment,
    RiskLevel,
    Task,
    TaskKind,
    TaskState,
    Visit,
    VisitKind,
)
from .children.models import (  # noqa: F401
    AccessAction,
    CategoryType,
    Child,
    ChildAccessLog,
    ChildCategory,
    ChildPhoto,
    ChildStatus,
    ExitReason,
    Grade,
    GrantState,
    Guardian,
    GuardianRelation,
    RegistryGrant,
    Sex,
)
from .mandatory.models import (  # noqa: F401
    AgeUnit,
    Concern,
    MandatoryReport,
    ReportAction,
    ReportChannel,
    ReportedSex,
    ReporterKind,
    ReportState,
    ReportStep,
    Urgency,
)
from .referrals.models import Referral, ReferralState, ReferralUpdate  # noqa: F401
from .tally.models import CategoryCount  # noqa: F401
