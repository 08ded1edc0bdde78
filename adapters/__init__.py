"""Platform adapters: translate Telegram, Discord and a console onto the neutral core."""
