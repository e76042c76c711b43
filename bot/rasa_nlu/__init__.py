"""Adapters that plug the ``bot`` core into Rasa's NLU.

With ``bot.channels`` this is the only place in ``bot`` that imports Rasa:
pipeline components that call ``bot.text``, and the model loader used by
``python -m bot triage``.
"""
