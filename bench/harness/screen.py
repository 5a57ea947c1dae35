"""The screen model: a small terminal emulator, enough of xterm to read a screen.

It keeps a grid of characters and, per cell, the background colour and reverse flag (the
list's cursor line is told apart by its background). It understands what Textual and
ncurses (newsboat) write to an ``xterm-256color`` terminal: cursor moves, erases, inserts
and deletes, scroll regions, SGR, the alternate screen, auto-wrap, ``REP``; everything else
(OSC, DCS, mode switches it does not need) is read and dropped. It is not a full VT100.

Synchronized output (``CSI ? 2026 h`` … ``CSI ? 2026 l``) brackets each Textual frame;
``on_frame_end`` is called at the end of each, with the screen exactly as that frame left
it, even when one read holds several frames.

Stdlib only; fed bytes as they come (sequences and UTF-8 split across reads are fine).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Callable

_CSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
_CSI_GROWING = re.compile(r"\x1b\[[0-?]*[ -/]*\Z")
_PLAIN = re.compile(r"[^\x00-\x1f\x7f\x1b]+")
_MAX_PENDING = 4096  # an unfinished sequence longer than this is garbage: dropped


def char_width(char: str) -> int:
    if char.isascii():
        return 1
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


class Screen:
    """A ``columns`` × ``lines`` character grid fed with terminal output."""

    def __init__(self, columns: int, lines: int) -> None:
        self.columns = columns
        self.lines = lines
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = ""
        self.chars = [[" "] * columns for _ in range(lines)]
        self.backs: list[list[object]] = [[None] * columns for _ in range(lines)]
        self.x = 0
        self.y = 0
        self._wrap_pending = False
        self.autowrap = True
        self.top = 0  # scroll region, inclusive
        self.bottom = lines - 1
        self.back: object = None  # current background (an SGR colour spec) and reverse flag
        self.fore: object = None
        self.reverse = False
        self.last_char = " "
        self.in_sync = False
        self.frames = 0  # synchronized updates completed
        self.on_frame_end: Callable[[], None] | None = None
        self._saved = (0, 0)

    # -- reading -------------------------------------------------------------------------

    def row_text(self, y: int) -> str:
        """Line ``y`` as text (the second cell of a wide character is dropped)."""
        return "".join(c for c in self.chars[y] if c)

    def text(self) -> str:
        return "\n".join(self.row_text(y) for y in range(self.lines))

    def find(self, needle: str) -> int | None:
        """The first line holding ``needle``, or None."""
        for y in range(self.lines):
            if needle in self.row_text(y):
                return y
        return None

    # -- feeding -------------------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        text = self._pending + self._decoder.decode(data)
        self._pending = ""
        position, end = 0, len(text)
        while position < end:
            char = text[position]
            if char == "\x1b":
                stop = self._sequence_end(text, position)
                if stop is None:  # cut off by the end of this read: wait for the rest
                    rest = text[position:]
                    self._pending = rest if len(rest) <= _MAX_PENDING else ""
                    return
                self._escape(text[position:stop])
                position = stop
            elif char < " " or char == "\x7f":
                self._control(char)
                position += 1
            else:
                found = _PLAIN.match(text, position)
                assert found is not None
                self._text(found.group())
                position = found.end()

    @staticmethod
    def _sequence_end(text: str, start: int) -> int | None:
        """Where the escape sequence at ``start`` ends; None if it is not all here yet."""
        if start + 1 >= len(text):
            return None
        kind = text[start + 1]
        if kind == "[":
            found = _CSI.match(text, start)
            if found is not None:
                return found.end()
            if _CSI_GROWING.match(text, start):
                return None
            return start + 2  # not a CSI after all: drop "ESC ["
        if kind in "]P_^X":
            if kind == "]":
                bell = text.find("\x07", start)
                st = text.find("\x1b\\", start + 1)
                ends = [e + 1 for e in (bell,) if e >= 0] + [e + 2 for e in (st,) if e >= 0]
            else:
                st = text.find("\x1b\\", start + 1)
                ends = [st + 2] if st >= 0 else []
            return min(ends) if ends else None
        if " " <= kind <= "/":  # ESC, intermediates, final: charset designations and such
            index = start + 1
            while index < len(text) and " " <= text[index] <= "/":
                index += 1
            return index + 1 if index < len(text) else None
        return start + 2

    def _control(self, char: str) -> None:
        if char == "\r":
            self.x = 0
            self._wrap_pending = False
        elif char in "\n\x0b\x0c":
            self._line_feed()
        elif char == "\x08":
            self.x = max(0, self.x - 1)
            self._wrap_pending = False
        elif char == "\t":
            self.x = min(self.columns - 1, (self.x // 8 + 1) * 8)

    def _line_feed(self) -> None:
        self._wrap_pending = False
        if self.y == self.bottom:
            self._scroll_up(1)
        elif self.y < self.lines - 1:
            self.y += 1

    def _text(self, text: str) -> None:
        chars, backs = self.chars, self.backs
        back = (self.back, self.reverse)
        if text.isascii() and not self._wrap_pending:
            room = self.columns - self.x
            if len(text) <= room or not self.autowrap:
                part = text[:room]
                row = chars[self.y]
                row[self.x : self.x + len(part)] = list(part)
                backs[self.y][self.x : self.x + len(part)] = [back] * len(part)
                self.last_char = text[-1]
                if len(text) >= room:
                    self.x = self.columns - 1
                    self._wrap_pending = self.autowrap
                else:
                    self.x += len(part)
                return
        for char in text:
            self._put(char, back)

    def _put(self, char: str, back: tuple[object, bool]) -> None:
        width = char_width(char)
        if width == 0:
            return
        if self._wrap_pending and self.autowrap:
            self.x = 0
            self._line_feed()
        self._wrap_pending = False
        if self.x + width > self.columns:
            if not self.autowrap:
                return
            self.x = 0
            self._line_feed()
        row, backs = self.chars[self.y], self.backs[self.y]
        row[self.x] = char
        backs[self.x] = back
        if width == 2 and self.x + 1 < self.columns:
            row[self.x + 1] = ""
            backs[self.x + 1] = back
        self.last_char = char
        if self.x + width >= self.columns:
            self.x = self.columns - 1
            self._wrap_pending = self.autowrap
        else:
            self.x += width

    # -- escape sequences ----------------------------------------------------------------

    def _escape(self, token: str) -> None:
        if token.startswith("\x1b["):
            self._csi(token[2:-1], token[-1])
        elif token == "\x1b7":
            self._saved = (self.x, self.y)
        elif token == "\x1b8":
            self.x, self.y = self._saved
        elif token == "\x1bM":  # reverse index
            if self.y == self.top:
                self._scroll_down(1)
            elif self.y > 0:
                self.y -= 1
        elif token == "\x1bD":
            self._line_feed()
        elif token == "\x1bE":
            self.x = 0
            self._line_feed()
        elif token == "\x1bc":
            self._erase_all()
            self.x = self.y = 0
        # OSC, DCS, charsets, keypad modes: nothing to draw.

    def _csi(self, body: str, final: str) -> None:
        private = body[:1] in ("?", ">", "<", "=")
        params_text = body[1:] if private else body
        params_text = params_text.rstrip(" !\"#$%&'()*+,-./")
        intermediate = body[len(body.rstrip(" !\"#$%&'()*+,-./")) :]
        if intermediate:
            return  # DECRQM and friends: the session answers the ones that matter
        try:
            params = [
                int(p.split(":")[0]) if p.split(":")[0] else 0 for p in params_text.split(";")
            ]
        except ValueError:
            params = [0]
        if body.startswith("?"):
            if final in "hl":
                self._private_mode(params, final == "h")
            return
        if private:
            return
        first = params[0] if params else 0
        count = max(1, first)
        if final == "m":
            self._sgr(body)
        elif final in "Hf":
            row = params[0] if params else 0
            column = params[1] if len(params) > 1 else 0
            self._goto(max(1, column) - 1, max(1, row) - 1)
        elif final == "A":
            self._goto(self.x, max(self.top if self.y >= self.top else 0, self.y - count))
        elif final == "B":
            self._goto(self.x, min(self.bottom if self.y <= self.bottom else self.lines - 1,
                                   self.y + count))  # fmt: skip
        elif final == "C":
            self._goto(self.x + count, self.y)
        elif final == "D":
            self._goto(self.x - count, self.y)
        elif final == "G" or final == "`":
            self._goto(count - 1, self.y)
        elif final == "d":
            self._goto(self.x, count - 1)
        elif final == "E":
            self._goto(0, self.y + count)
        elif final == "F":
            self._goto(0, self.y - count)
        elif final == "K":
            self._erase_line(first)
        elif final == "J":
            self._erase_display(first)
        elif final == "X":
            self._fill(self.y, self.x, min(self.columns, self.x + count))
        elif final == "@":
            self._insert_chars(count)
        elif final == "P":
            self._delete_chars(count)
        elif final == "L":
            if self.top <= self.y <= self.bottom:
                self._scroll_down(count, start=self.y)
        elif final == "M":
            if self.top <= self.y <= self.bottom:
                self._scroll_up(count, start=self.y)
        elif final == "S":
            self._scroll_up(count)
        elif final == "T":
            self._scroll_down(count)
        elif final == "b":  # REP: repeat the last character
            self._text(self.last_char * min(count, self.columns * self.lines))
        elif final == "r":
            top = (params[0] if params and params[0] else 1) - 1
            bottom = (params[1] if len(params) > 1 and params[1] else self.lines) - 1
            if 0 <= top < bottom < self.lines:
                self.top, self.bottom = top, bottom
                self._goto(0, 0)
        elif final == "s":
            self._saved = (self.x, self.y)
        elif final == "u":
            self.x, self.y = self._saved

    def _private_mode(self, params: list[int], on: bool) -> None:
        for mode in params:
            if mode == 2026:
                if on:
                    self.in_sync = True
                elif self.in_sync:
                    self.in_sync = False
                    self.frames += 1
                    if self.on_frame_end is not None:
                        self.on_frame_end()
            elif mode == 7:
                self.autowrap = on
            elif mode in (47, 1047, 1049):
                # Both screens start blank and each program draws all of its own; one grid.
                self._erase_all()
                if mode == 1049 and on:
                    self._goto(0, 0)

    def _sgr(self, body: str) -> None:
        parts = body.replace(":", ";").split(";") if body else ["0"]
        i = 0
        while i < len(parts):
            code = int(parts[i]) if parts[i].isdigit() else 0
            if code == 0:
                self.back = self.fore = None
                self.reverse = False
            elif code == 7:
                self.reverse = True
            elif code == 27:
                self.reverse = False
            elif code in (38, 48):
                kind = parts[i + 1] if i + 1 < len(parts) else ""
                take = 3 if kind == "5" else 5 if kind == "2" else 2
                spec = ";".join(parts[i + 1 : i + take])
                if code == 48:
                    self.back = spec
                else:
                    self.fore = spec
                i += take - 1
            elif code == 49:
                self.back = None
            elif code == 39:
                self.fore = None
            elif 40 <= code <= 47 or 100 <= code <= 107:
                self.back = str(code)
            elif 30 <= code <= 37 or 90 <= code <= 97:
                self.fore = str(code)
            i += 1

    # -- grid operations -----------------------------------------------------------------

    def _goto(self, x: int, y: int) -> None:
        self.x = max(0, min(self.columns - 1, x))
        self.y = max(0, min(self.lines - 1, y))
        self._wrap_pending = False

    def _fill(self, y: int, start: int, end: int) -> None:
        blank = (self.back, self.reverse)
        self.chars[y][start:end] = [" "] * (end - start)
        self.backs[y][start:end] = [blank] * (end - start)

    def _erase_line(self, how: int) -> None:
        if how == 0:
            self._fill(self.y, self.x, self.columns)
        elif how == 1:
            self._fill(self.y, 0, self.x + 1)
        else:
            self._fill(self.y, 0, self.columns)

    def _erase_display(self, how: int) -> None:
        if how == 0:
            self._erase_line(0)
            for y in range(self.y + 1, self.lines):
                self._fill(y, 0, self.columns)
        elif how == 1:
            for y in range(0, self.y):
                self._fill(y, 0, self.columns)
            self._erase_line(1)
        else:
            for y in range(self.lines):
                self._fill(y, 0, self.columns)

    def _erase_all(self) -> None:
        for y in range(self.lines):
            self.chars[y] = [" "] * self.columns
            self.backs[y] = [None] * self.columns

    def _blank_row(self) -> tuple[list[str], list[object]]:
        return [" "] * self.columns, [(self.back, self.reverse)] * self.columns

    def _scroll_up(self, count: int, start: int | None = None) -> None:
        top = self.top if start is None else start
        for _ in range(min(count, self.bottom - top + 1)):
            del self.chars[top]
            del self.backs[top]
            chars, backs = self._blank_row()
            self.chars.insert(self.bottom, chars)
            self.backs.insert(self.bottom, backs)

    def _scroll_down(self, count: int, start: int | None = None) -> None:
        top = self.top if start is None else start
        for _ in range(min(count, self.bottom - top + 1)):
            del self.chars[self.bottom]
            del self.backs[self.bottom]
            chars, backs = self._blank_row()
            self.chars.insert(top, chars)
            self.backs.insert(top, backs)

    def _insert_chars(self, count: int) -> None:
        row, backs = self.chars[self.y], self.backs[self.y]
        count = min(count, self.columns - self.x)
        row[self.x : self.x] = [" "] * count
        backs[self.x : self.x] = [(self.back, self.reverse)] * count
        del row[self.columns :]
        del backs[self.columns :]

    def _delete_chars(self, count: int) -> None:
        row, backs = self.chars[self.y], self.backs[self.y]
        count = min(count, self.columns - self.x)
        del row[self.x : self.x + count]
        del backs[self.x : self.x + count]
        row.extend([" "] * count)
        backs.extend([(self.back, self.reverse)] * count)
