"""The screens and dialogs of the app, one per module."""
