"""Pictures for the reader: fetched with the page etiquette, checked by their bytes,
decoded and scaled in a worker process, kept in a capped disk cache."""
