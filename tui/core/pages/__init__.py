"""Reader mode: a story's web page, fetched, read, judged and kept.

:mod:`.fetch` decides which stories want their page and fetches them with the feed
fetcher's manners; :mod:`.extract` finds the article in a page (trafilatura) and
:mod:`.writer` writes it as simple HTML; :mod:`.verify` says whether the page is the one the
feed meant (``verified=``) and :mod:`.sentiment` labels its tone; :mod:`.notes` words what
went wrong; :mod:`.jobs` is what runs in the worker processes.
"""
