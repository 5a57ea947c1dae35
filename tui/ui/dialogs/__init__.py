"""The modal dialogs, one per module: each asks or shows one thing over the main screen
and dismisses with its answer.

They do no more than that: whoever opens one (the app, the main screen) acts on the
answer. Adding a feed, choosing one of a site's feeds, a yes/no question, a one-line
question, a story's outline and help only collect or show; search and the feed manager
read the library in thread workers to show it, and the feed manager changes
subscriptions it is asked to change.
"""
