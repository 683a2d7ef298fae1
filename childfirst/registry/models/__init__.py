"""The registry's models, one module per topic."""

from .access import AccessAction, ChildAccessLog, RegistryGrant  # noqa: F401
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
from .referral import Referral, ReferralState  # noqa: F401
