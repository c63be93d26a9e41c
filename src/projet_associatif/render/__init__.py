"""Render the executed notebooks and hand-written chapters into HTML, PDF and DOCX."""

from __future__ import annotations

from .errors import RenderError

__all__ = ["RenderError"]
