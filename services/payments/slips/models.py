"""Tables of payments' slips (issue 17), on the schema's one ``Base``."""

from services.payments.models import Base

__all__ = ["Base"]
