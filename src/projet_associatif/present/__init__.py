"""Presentation: tables, charts and maps, source lines under figures."""
