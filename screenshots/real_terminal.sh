#!/usr/bin/env bash
# A screenshot of newsterm in a real terminal that draws pictures: xterm as a VT340
# (sixel graphics) on a virtual X display, driven by xdotool, captured by ImageMagick.
#
#     bash screenshots/real_terminal.sh        # writes screenshots/xterm-sixel.png
#
# Needs (Debian): xvfb xterm xdotool imagemagick fonts-dejavu-core. The SVG screenshots
# come from make_screenshots.py, which cannot show sixel: Textual's SVG export draws text.
set -euo pipefail
cd "$(dirname "$0")/.."
out=screenshots/xterm-sixel.png
config=$(mktemp --suffix=.toml)
trap 'rm -f "$config"; kill "${xvfb:-}" 2>/dev/null || true' EXIT
printf '[refresh]\nauto_minutes = 0\n[articles]\nmin_words = 0\nprefetch = true\n' >"$config"
export DISPLAY=:97
Xvfb "$DISPLAY" -screen 0 1500x1000x24 >/dev/null 2>&1 &
xvfb=$!
sleep 2
xterm -ti vt340 -xrm 'XTerm*decTerminalID: vt340' -xrm 'XTerm*numColorRegisters: 1024' \
  -xrm 'XTerm*directColor: true' -bg '#121212' -fg '#e0e0e0' -fa 'DejaVu Sans Mono' -fs 9 \
  -geometry 150x44+0+0 \
  -e env TERM=xterm-256color COLORTERM=truecolor .venv/bin/newsterm --demo --config "$config" &
sleep 6
window=$(xdotool search --class xterm | head -1)
keys() { for key in "$@"; do xdotool key --window "$window" "$key"; sleep 0.3; done; }
xdotool type --window "$window" "/"; sleep 1
xdotool type --window "$window" "lander"; sleep 2
keys Down Return; sleep 2
keys space; sleep 2            # down to the picture
keys Tab k k k k k k k k; sleep 2
import -window root -crop 1205x665+0+0 "$out"
keys q
echo "$out"
