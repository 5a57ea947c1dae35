"""A story's media from the command line: ``download`` saves enclosures (resuming one a
crash or Ctrl-C interrupted), ``cache`` shows or empties the pictures' cache."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from tui.cli.arguments import story_ids
from tui.cli.commands import open_library
from tui.cli.output import echo


class _Bar:
    """``  Episode 12: 12.3 MB of 45.1 MB (27%)`` on one line of a terminal's stderr."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._shown = sys.stderr.isatty()
        self._last = ""

    def __call__(self, received: int, total: int | None) -> None:
        if not self._shown:
            return
        from tui.core import file_size

        line = f"  {self._name}: {file_size(received)}"
        if total:
            line += f" of {file_size(total)} ({100 * received // total}%)"
        if line != self._last:
            self._last = line
            sys.stderr.write("\r" + line[:200] + "\x1b[K")
            sys.stderr.flush()

    def clear(self) -> None:
        if self._shown and self._last:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def cmd_download(args: argparse.Namespace) -> int:
    from tui.core import DownloadState, clean_line, playable

    ids = story_ids(args.stories)
    folder = Path(args.dir).expanduser() if args.dir else None
    failed = 0
    with open_library(args, folders=True) as library:
        downloads = library.downloads
        for story_id in ids:
            story = library.story(story_id)
            files = playable(story.enclosures)
            if not files:
                echo(f"newsterm: story {story_id} carries no file to download.", sys.stderr)
                failed += 1
                continue
            for enclosure in files:
                bar = _Bar(clean_line(story.title)[:40] or f"story {story_id}")
                try:
                    record = asyncio.run(_download(downloads, story, enclosure, folder, bar))
                finally:
                    bar.clear()
                if record.state is DownloadState.DONE:
                    echo(str(record.path))
                else:
                    failed += 1
                    said = clean_line(record.error) or record.state.value
                    echo(f"newsterm: {clean_line(story.title)}: {said}", sys.stderr)
    return 1 if failed else 0


async def _download(
    downloads: Any, story: Any, enclosure: Any, folder: Path | None, bar: _Bar
) -> Any:
    """Resume this enclosure's interrupted download of the story if there is one (and
    into the same folder), else start one; wait for it."""
    interrupted = [
        record
        for record in await asyncio.to_thread(downloads.listing)
        if record.story_id == story.id and record.url == enclosure.url and record.resumable
    ]
    if interrupted and (folder is None or interrupted[0].path.parent == folder.absolute()):
        await downloads.resume(interrupted[0].id, progress=bar)
        return await downloads.wait(interrupted[0].id)
    return await downloads.download_now(
        story.id, enclosure, story.title, folder=folder, progress=bar
    )


def cmd_cache(args: argparse.Namespace) -> int:
    with open_library(args, folders=True) as library:
        folder = library.cache_dir / "images"
        if args.cache_command == "clear":
            files, size = library.clear_image_cache()
            echo(f"Removed {files} pictures ({size / 1024**2:.1f} MB) from {folder}.")
        else:
            size = library.image_cache_size()
            cap = library.settings.ui.image_cache_mb
            echo(f"{folder}: {size / 1024**2:.1f} MB of pictures (at most {cap} MB).")
    return 0
