"""What every loader shares, one concept per module: ``text`` (decoding, cleanup),
``outline`` (sections from headings), ``metadata`` (ids, declared fields), ``xml``, ``nested``
(archive members back through the registry)."""
