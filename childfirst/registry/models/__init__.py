"""The registry's models, one module per topic."""

from .access import AccessAction, ChildAccessLog, RegistryGrant  # noqa: F401
from .casework import (  # noqa: F401
    AssessmentState,
    Assistance,
    AssistanceFollowUp,
    AssistanceState,
    ReferralUpdate,
    RiskAssessment,
    RiskLevel,
    Task,
    TaskKind,
    TaskState,
    Visit,
    VisitKind,
)
from .child import (  # noqa: F401
    CategoryType,
    Child,
    ChildCategory,
    ChildPhoto,
    ChildStatus,
    ExitReason,
    Grade,
    Guardian,
    GuardianRelation,
    Sex,
)
from .homes import (  # noqa: F401
    ActivityKind,
    ChildrensHome,
    DemonstrationLevel,
    HomeActivity,
    HomeType,
    StandardCheck,
    StandardItem,
)
from .mandatory import (  # noqa: F401
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
from .referral import Referral, ReferralState  # noqa: F401
