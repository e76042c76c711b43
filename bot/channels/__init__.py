"""Channels: thin Rasa adapters. Every reply they send passes the outbound guard."""
