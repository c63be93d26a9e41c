"""Foundations every layer may use: paths, errors, French formatting, escaping of data as text."""
