"""Projet associatif reproductible de la Mission Locale de Moulins et sa région."""

__version__ = "0.1.0"
