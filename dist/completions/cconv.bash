# bash completion for cconv(1) and cconvd(8).
# Currency codes come from "cconv --list --offline --raw": the local cache
# only, so pressing Tab never waits on the network.

_cconv_codes()
{
	cconv --list --offline --raw 2>/dev/null | while read -r code _; do printf '%s\n' "$code"; done
}

_cconv()
{
	local cur prev words cword
	_init_completion -s || return

	case $prev in
	-f | --from)
		COMPREPLY=($(compgen -W "$(_cconv_codes)" -- "${cur^^}"))
		return
		;;
	-d | --date)
		return
		;;
	-s | --server | -u | --upstream)
		COMPREPLY=($(compgen -W "http:// https:// file://" -- "$cur"))
		compopt -o nospace
		return
		;;
	esac
	$split && return

	if [[ $cur == -* ]]; then
		# Every long option --help names: it lists the rarer ones
		# several to a line, which _parse_help would not read.
		COMPREPLY=($(compgen -W "$("$1" --help 2>/dev/null | grep -oE -- '(^|[^-[:alnum:]])--[a-z][a-z-]*' |
			grep -oE -- '--[a-z][a-z-]*' | sort -u)" -- "$cur"))
		[[ ${COMPREPLY-} == *= ]] && compopt -o nospace
		return
	fi
	# An operand that is no number is a currency or a comma-separated list
	# of them: complete the code after the last comma.
	local prefix="" last="$cur"
	if [[ $cur == *,* ]]; then
		prefix="${cur%,*},"
		last="${cur##*,}"
	fi
	COMPREPLY=($(compgen -P "$prefix" -W "$(_cconv_codes)" -- "${last^^}"))
} &&
	complete -F _cconv cconv
