"""``tui.core.images``: sniffing a picture's bytes, decoding and scaling them."""
