"""The app's full screens: the main screen (a package: it owns its behaviour) and the
first-launch welcome. Modal dialogs over them live in :mod:`tui.ui.dialogs`."""
