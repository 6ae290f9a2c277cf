"""Answer generators, one per module, all speaking ``assistant.protocols.Generator``.

* ``extractive``: the offline default; quotes the sources, cites each sentence.
* ``chat``: Mistral or any OpenAI-compatible endpoint (Albert…), streamed over HTTP.
* ``fallback``: a remote generator that falls back to the extractive one.

``assistant.wiring.build_generator`` picks one from the settings.
"""
