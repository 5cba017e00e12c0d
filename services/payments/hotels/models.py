"""Tables of payments' hotels (issue 17), on the schema's one ``Base``."""

from services.payments.models import Base

__all__ = ["Base"]
