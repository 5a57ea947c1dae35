"""What the user subscribes to: OPML and newsboat ``urls`` files (:mod:`.opml`), and a
site's address → its feeds (:mod:`.discover`)."""
