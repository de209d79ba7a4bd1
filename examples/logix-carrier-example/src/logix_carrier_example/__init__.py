"""logix-carrier-example: a third-party logix adapter for the fictional ParcelPoint API."""

from .adapter import CODES, ParcelPointAdapter, ParcelPointSettings

__all__ = ["CODES", "ParcelPointAdapter", "ParcelPointSettings"]
