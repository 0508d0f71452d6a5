#!/usr/bin/env bash
# Fails when a C source uses a function our style bans (curl's CODE_STYLE list):
# unbounded copies and conversions that cannot report errors.
set -u
root=${1:?usage: banned.sh SOURCE_DIR}
pattern='\b(atoi|atol|atoll|sprintf|vsprintf|strcpy|strcat|strncat|strtok|gets|sscanf)[[:space:]]*\('
hits=$(grep -rnE "$pattern" "$root/common" "$root/server" "$root/cli" "$root/tests" \
	--include='*.c' --include='*.h' | grep -vE '^\S+:[0-9]+:\s*(/?\*|//)' || true)
if [ -n "$hits" ]; then
	echo "banned functions used:"
	echo "$hits"
	exit 1
fi
echo "no banned functions in $(find "$root/common" "$root/server" "$root/cli" "$root/tests" -name '*.[ch]' | wc -l) C files"
