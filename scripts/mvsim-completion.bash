# mvsim-completion.bash — bash completion for mvsim (installed as
# share/bash-completion/completions/mvsim; or `source` this file).
# Commands, each command's options and the values some options take, the files a command
# reads, and for --set the keys of the scenario named on the line (`mvsim keys FILE`).
# Commands and options are read from `mvsim help` and `mvsim help COMMAND`, so they are
# always those of the mvsim being completed.

# The commands `mvsim help` lists.
_mvsim_commands()
{
	"$1" help 2>/dev/null | awk '/^Commands:/ { on = 1; next }
		on && /^  [a-z]/ { print $1 } on && /^$/ { exit }'
}

# The help text of command $2 of mvsim $1.
_mvsim_help()
{
	if [[ $2 == plot ]]; then "$1" plot --help 2>/dev/null; else "$1" help "$2" 2>/dev/null; fi
}

# Every option the help of command $2 mentions.
_mvsim_options()
{
	_mvsim_help "$1" "$2" | grep -oE -- '(^|[][ ,(|])--?[a-zA-Z][a-zA-Z-]*' |
		sed 's/^[][ ,(|]//' | sort -u
}

# The options of command $2 that take a value: those written "-o, --output FILE" in its help.
_mvsim_valued()
{
	_mvsim_help "$1" "$2" | sed -n 's/^ \{1,\}\(-[^ ].*\)$/\1/p' |
		awk '{ split($0, p, /  +/); s = p[1]; if (s ~ / ["A-Z]/) {
			n = split(s, w, /[ ,]+/); for (i = 1; i <= n; i++) if (w[i] ~ /^-/) print w[i] } }'
}

# The scenario named on the line: the first word after the command that is a readable file
# and not an option's value. A sweep file names its scenario with `scenario = "path";`,
# relative to the sweep file.
_mvsim_scenario()
{
	local prog=$1 cmd=$2 valued w i skip=0 f
	valued=" $(_mvsim_valued "$prog" "$cmd" | tr '\n' ' ') "
	for ((i = 2; i < ${#COMP_WORDS[@]}; i++)); do
		w=${COMP_WORDS[i]}
		if ((skip)); then skip=0; continue; fi
		((i == COMP_CWORD)) && continue
		if [[ $w == -* ]]; then [[ $valued == *" $w "* ]] && skip=1; continue; fi
		[[ $w == = ]] && { skip=1; continue; }
		f=${w/#\~/$HOME}
		[[ -f $f && -r $f ]] || continue
		if "$prog" keys "$f" >/dev/null 2>&1; then echo "$f"; return; fi
		local inner
		inner=$(sed -n 's/^[[:space:]]*scenario[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$f" | head -n 1)
		if [[ -n $inner ]]; then
			[[ $inner == /* ]] || inner=$(dirname -- "$f")/$inner
			echo "$inner"; return
		fi
	done
}

# COMPREPLY: the directories and the files with one of the extensions $2... that start with $1.
_mvsim_files()
{
	local cur=$1 e
	shift
	mapfile -t COMPREPLY < <(for e in "$@"; do compgen -f -X "!*.$e" -- "$cur"; done
		compgen -d -- "$cur")
}

_mvsim()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local prog=${COMP_WORDS[0]} cmd="" i
	COMPREPLY=()
	command -v "$prog" >/dev/null 2>&1 || prog=mvsim
	for ((i = 1; i < COMP_CWORD; i++)); do
		[[ ${COMP_WORDS[i]} != -* ]] && { cmd=${COMP_WORDS[i]}; break; }
	done
	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "--version --help" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$(_mvsim_commands "$prog")" -- "$cur")
		fi
		return 0
	fi
	# --set=KEY: bash splits at '=' (COMP_WORDBREAKS), so the option is two words back.
	local opt=$prev
	if [[ $prev == = ]] && ((COMP_CWORD >= 3)); then opt=${COMP_WORDS[COMP_CWORD-2]}; fi
	case $opt in
	-s | --set)
		[[ $cur == *=* ]] && return 0 # the value: a number
		local sc
		sc=$(_mvsim_scenario "$prog" "$cmd")
		[[ -n $sc ]] || return 0
		mapfile -t COMPREPLY < <(compgen -W "$("$prog" keys "$sc" 2>/dev/null |
			awk 'NR > 1 { print $1 }')" -- "$cur")
		((${#COMPREPLY[@]})) && COMPREPLY=("${COMPREPLY[@]/%/=}")
		compopt -o nospace 2>/dev/null
		return 0 ;;
	-o | --output | -r | --report | --junit)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur"); compopt -o filenames 2>/dev/null
		return 0 ;;
	--series)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur"); compopt -o filenames 2>/dev/null
		return 0 ;;
	-i | --integrator)
		mapfile -t COMPREPLY < <(compgen -W "rk2 rk4 rkf45 rkck rk8pd msadams rk1imp rk2imp
			rk4imp bsimp msbdf" -- "$cur")
		return 0 ;;
	-k | --kind)
		mapfile -t COMPREPLY < <(compgen -W "shares plane tension diversity all fan
			sensitivity heatmap scatter fit tradeoff box" -- "$cur")
		return 0 ;;
	-m | --method)
		[[ $cmd == sensitivity ]] && mapfile -t COMPREPLY < <(compgen -W "sobol morris" -- "$cur")
		return 0 ;;
	-f | --format)
		mapfile -t COMPREPLY < <(compgen -W "png svg pdf" -- "$cur")
		return 0 ;;
	--objective)
		mapfile -t COMPREPLY < <(compgen -W "lenient1 lenient2 original" -- "$cur")
		return 0 ;;
	esac
	# Another option that takes a value: nothing to offer.
	if [[ $opt == -* && " $(_mvsim_valued "$prog" "$cmd" | tr '\n' ' ') " == *" $opt "* ]]; then
		return 0
	fi
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_mvsim_options "$prog" "$cmd")" -- "$cur")
		return 0
	fi
	case $cmd in
	help) mapfile -t COMPREPLY < <(compgen -W "$(_mvsim_commands "$prog")" -- "$cur"); return 0 ;;
	plot | merge) _mvsim_files "$cur" tsv partial ;;
	discover) _mvsim_files "$cur" tsv cfg ;;
	*) _mvsim_files "$cur" cfg ;;
	esac
	compopt -o filenames 2>/dev/null
	return 0
}
complete -F _mvsim mvsim
