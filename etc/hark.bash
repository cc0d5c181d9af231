# bash completion for hark(1)                              -*- shell-script -*-
_hark()
{
	local cur prev cmd i
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}

	if [ "$COMP_CWORD" -eq 1 ]; then
		# The command list comes from the binary, so it never goes stale.
		COMPREPLY=($(compgen -W "$(hark help 2>/dev/null | awk '/^  [a-z]/ {print $1}') --version" -- "$cur"))
		return
	fi
	cmd=${COMP_WORDS[1]}
	case $prev in
	-c|--config)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	--rule|-r)
		local conf="" w
		for ((i = 1; i < COMP_CWORD; i++)); do
			w=${COMP_WORDS[i]}
			if [ "$w" = -c ] || [ "$w" = --config ]; then conf=${COMP_WORDS[i+1]}; fi
		done
		conf=${conf:-${XDG_CONFIG_HOME:-$HOME/.config}/hark/hark.conf}
		COMPREPLY=($(compgen -W "$(sed -n 's/^[[:space:]]*\[rule[[:space:]]\+\([^]]*\)\].*/\1/p' "$conf" 2>/dev/null)" -- "$cur"))
		return ;;
	esac
	if [[ $cur == -* ]]; then
		# Options come from the command's own --help.
		COMPREPLY=($(compgen -W "$(hark "$cmd" --help 2>/dev/null | grep -oE -- '--[a-z][a-z-]*' | sort -u)" -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -f -- "$cur"))
}
complete -F _hark hark
