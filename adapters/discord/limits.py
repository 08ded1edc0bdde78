"""Every Discord limit the adapter obeys, named once (Discord's documentation; discord.py does not export them)."""

MESSAGE_LIMIT = 2000  # characters of a message's content
BUTTON_LABEL_LIMIT = 80
CUSTOM_ID_LIMIT = 100  # a component's custom_id
ROWS, PER_ROW = 5, 5  # action rows per message, buttons per row
DESCRIPTION_LIMIT = 100  # a slash command's or option's description
CHOICE_LIMIT = 25  # choices of an option, or of one autocomplete answer
CHOICE_NAME_LIMIT = 100
INTERACTION_ANSWER_SECONDS = 3.0  # an interaction not answered by then fails for the user
ERROR_EXCERPT = 300  # characters of a refusal's body quoted in a log line (not Discord's: ours, for log hygiene)
