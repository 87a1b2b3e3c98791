"""Placeholder: the widget engineer replaces this module with the widget's routes (`/`, `/widget.js`,
`/widget/frame`, static assets). The app factory includes `router` from here."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
