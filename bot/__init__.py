"""madoguchi (窓口): the domain core of the support assistant.

Nothing here imports Rasa except the adapters in ``bot.channels`` and
``bot.rasa_nlu``; the rest is plain Python that actions and channels call.
"""
