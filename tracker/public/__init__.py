"""The public site, for readers."""

from tracker.public.views import bp

__all__ = ["bp"]
