"""Old location, kept for compatibility."""

from shop.billing.payments import charge

__all__ = ["charge"]
