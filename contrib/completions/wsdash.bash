# bash completion for wsdash(1): commands, each command's options, and the
# values of options that take a fixed set (scenarios, ping kinds) or a file.
# Installed as share/bash-completion/completions/wsdash; works without the
# bash-completion package too (source it from ~/.bashrc).
#
# To add an option: put it in its command's list in _wsdash_options, and if
# its value is a fixed set or a file, in _wsdash_values. The lists follow
# `wsdash help COMMAND`; tests/integration/test_docs.c checks they do.

_wsdash_commands="watch check demo serve config exporter help version"

# The options of one command, on stdout.
_wsdash_options()
{
	# check, watch and config (demo: all but --server and --config)
	local common="--server --config --timeout -H --header --origin
		--subprotocol --cacert -k --insecure --no-color --json
		-h --help"
	local watch="--plain --duration --ping-interval --ping-timeout --ping
		--poll-interval --max-message --hello --no-hello
		--max-silence --retry-base --no-bell --on-change
		--on-change-timeout --log"
	local statusline="--status-line --format"

	case $1 in
	watch) echo "$common $watch $statusline --metrics" ;;
	check) echo "$common --strict --also-head -q --quiet -v --verbose" ;;
	demo)
		echo "--flavor --scenario --seed --speed --rate --port --count
			--timeout -H --header --origin --subprotocol --cacert
			-k --insecure --no-color --json -h --help $watch
			$statusline --metrics"
		;;
	serve)
		echo "--port --bind --rate --scenario --seed --count --speed
			--flavor -h --help"
		;;
	config) echo "$common --init" ;;
	exporter)
		echo "${common/--json/} ${watch/--plain/} --listen --probe-allow
			--strict"
		;;
	esac
}

# The values of option $2 of command $1: "words ...", "@file" or "" (free
# text: nothing to offer). Returns 1 when the option takes no value.
_wsdash_values()
{
	case $2 in
	--scenario) echo "words steady outages flood" ;;
	--flavor) echo "words demo tac" ;;
	--ping) echo "words protocol json" ;;
	--hello) echo "words none" ;;
	--format) echo "words tmux plain" ;;
	--config | --cacert | --log) echo "@file" ;;
	--on-change) echo "@command" ;;
	--server | --timeout | -H | --header | --origin | --subprotocol | \
		--duration | --ping-interval | --ping-timeout | \
		--poll-interval | --max-message | --max-silence | \
		--retry-base | --seed | --speed | --rate | --port | \
		--count | --bind | --metrics | --listen | --probe-allow | \
		--on-change-timeout)
		echo "" ;;
	*) return 1 ;;
	esac
}

_wsdash()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev="" cmd=watch i vals
	# COMP_WORDBREAKS splits --opt=value into "--opt" "=" "value"
	if ((COMP_CWORD > 0)); then
		prev=${COMP_WORDS[COMP_CWORD - 1]}
	fi
	if [[ $cur == = ]]; then
		cur=""
	elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	fi
	COMPREPLY=()

	# the command is the first word, or watch (the default)
	if ((COMP_CWORD == 1)) && [[ $cur != -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$_wsdash_commands" -- "$cur")
		return
	fi
	for i in $_wsdash_commands; do
		[[ ${COMP_WORDS[1]} == "$i" ]] && cmd=$i
	done
	case $cmd in
	help)
		((COMP_CWORD == 2)) && mapfile -t COMPREPLY < <(compgen \
			-W "watch check demo serve config exporter" -- "$cur")
		return
		;;
	version) return ;;
	esac

	# the value of the option before
	if [[ $prev == -* ]] && vals=$(_wsdash_values "$cmd" "$prev"); then
		case $vals in
		words\ *)
			mapfile -t COMPREPLY < <(compgen -W "${vals#words }" \
				-- "$cur")
			;;
		@file)
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			;;
		@command)
			mapfile -t COMPREPLY < <(compgen -c -- "$cur")
			;;
		esac
		return
	fi
	if [[ $cur == -* ]]; then
		vals=$(_wsdash_options "$cmd")
		# wsdash --<TAB>: the default command's, and --version
		((COMP_CWORD == 1)) && vals+=" -V --version"
		mapfile -t COMPREPLY < <(compgen -W "$vals" -- "$cur")
		return
	fi
	# config --init [FILE]
	if [[ $cmd == config && $prev == --init ]]; then
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	fi
	# ENDPOINT arguments are URLs: nothing to offer
} &&
	complete -F _wsdash wsdash
