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
		COMPREPLY=($(compgen -W "$(_parse_help "$1")" -- "$cur"))
		[[ ${COMPREPLY-} == *= ]] && compopt -o nospace
		return
	fi
	# The first operand is a comma-separated list of codes: complete the
	# code after the last comma.
	local prefix="" last="$cur"
	if [[ $cur == *,* ]]; then
		prefix="${cur%,*},"
		last="${cur##*,}"
	fi
	COMPREPLY=($(compgen -P "$prefix" -W "$(_cconv_codes)" -- "${last^^}"))
} &&
	complete -F _cconv cconv
