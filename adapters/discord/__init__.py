"""Discord adapter on discord.py 2."""
