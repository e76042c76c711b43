"""Rasa SDK actions: read the tracker, call ``bot``, return events. No business rules here."""
