"""Telegram adapter on python-telegram-bot 22."""
