"""HTTP with limits and manners: :class:`.http.Fetcher`.

One single-connection httpx client per connection (several per host), on asyncio's own
transports (:mod:`.network`), caps on connections, timeouts and a deadline per
document, decompression under a size cap, redirects followed by hand, conditional GETs,
Retry-After honoured, and every failure turned into a sentence (:class:`.http.FetchResult`).
Feeds and web pages are both fetched here; what a body means is for ``parse`` and ``pages``.
"""
