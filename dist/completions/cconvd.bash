# bash completion for cconvd(8).

_cconvd()
{
	local cur prev words cword
	_init_completion -s || return

	case $prev in
	--db)
		_filedir db
		return
		;;
	--import)
		_filedir
		return
		;;
	--upstream | --history-upstream)
		COMPREPLY=($(compgen -W "http:// https:// file://" -- "$cur"))
		compopt -o nospace
		return
		;;
	--listen | --refresh | --max-age | --backfill | --max-conns-per-ip | --threads | --series-memory)
		return
		;;
	esac
	$split && return

	COMPREPLY=($(compgen -W "$(_parse_help "$1")" -- "$cur"))
	[[ ${COMPREPLY-} == *= ]] && compopt -o nospace
} &&
	complete -F _cconvd cconvd
