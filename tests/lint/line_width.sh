#!/usr/bin/env bash
# Fails when a line of C source is wider than the house width: 120 columns,
# a tab counting as 8 (docs/hacking.md).  Comments are wrapped narrower by
# habit; this sets the one limit every line keeps.
set -u
root=${1:?usage: line_width.sh SOURCE_DIR}
width=120
hits=$(find "$root/common" "$root/server" "$root/cli" "$root/tests" -name '*.[ch]' -print0 |
	xargs -0 awk -v w="$width" '{ l = $0; gsub(/\t/, "        ", l); if (length(l) > w) printf "%s:%d: %d columns\n", FILENAME, FNR, length(l) }')
if [ -n "$hits" ]; then
	echo "lines wider than $width columns:"
	echo "$hits"
	exit 1
fi
echo "every line of C source is at most $width columns wide"
