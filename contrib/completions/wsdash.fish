# fish completion for wsdash(1): commands, each command's options, and the
# values of options that take a fixed set (scenarios, ping kinds) or a file.
# Installed as share/fish/vendor_completions.d/wsdash.fish.
#
# To add an option: one `complete` line below, naming the commands that take
# it (__wsdash_in). The lines follow `wsdash help COMMAND`;
# tests/integration/test_docs.c checks they do.

# The command: the first argument if it is one, else watch (the default).
function __wsdash_command
    set -l args (commandline -opc)
    if set -q args[2]; and contains -- $args[2] watch check demo serve config exporter help version
        echo $args[2]
    else
        echo watch
    end
end

# Is the command one of $argv?
function __wsdash_in
    contains -- (__wsdash_command) $argv
end

# Nothing but the program name so far: the command comes next.
function __wsdash_first
    test (count (commandline -opc)) -eq 1
end

# ENDPOINT arguments are URLs, not files
complete -c wsdash -f

# commands
complete -c wsdash -n __wsdash_first -a watch -d 'live status of every endpoint (the default)'
complete -c wsdash -n __wsdash_first -a check -d 'health-check endpoints with a real upgrade'
complete -c wsdash -n __wsdash_first -a demo -d 'the dashboard on the embedded demo backend'
complete -c wsdash -n __wsdash_first -a serve -d 'run the embedded demo backend'
complete -c wsdash -n __wsdash_first -a config -d 'the configuration in use and where it comes from'
complete -c wsdash -n __wsdash_first -a exporter -d 'watch without a screen, serving Prometheus /metrics'
complete -c wsdash -n __wsdash_first -a help -d 'the commands, or the options of one'
complete -c wsdash -n __wsdash_first -a version -d 'print the version'
complete -c wsdash -n __wsdash_first -s V -l version -d 'print the version'
complete -c wsdash -n '__wsdash_in help; and test (count (commandline -opc)) -eq 2' -a 'watch check demo serve config exporter'

# check, watch and config (demo: all but --server and --config)
complete -c wsdash -n '__wsdash_in watch check config exporter' -l server -x -d 'backend for the default endpoints (URL)'
complete -c wsdash -n '__wsdash_in watch check config exporter' -l config -r -F -d 'endpoints and defaults from a JSON file'
complete -c wsdash -n '__wsdash_in watch check config demo exporter' -l timeout -x -d 'handshake timeout per endpoint (ms)'
complete -c wsdash -n '__wsdash_in watch check config demo exporter' -s H -l header -x -d "extra handshake header 'Name: value'"
complete -c wsdash -n '__wsdash_in watch check config demo exporter' -l origin -x -d 'Origin header to send'
complete -c wsdash -n '__wsdash_in watch check config demo exporter' -l subprotocol -x -d 'Sec-WebSocket-Protocol to ask for'
complete -c wsdash -n '__wsdash_in watch check config demo exporter' -l cacert -r -F -d 'trust this CA bundle for wss:// (PEM)'
complete -c wsdash -n '__wsdash_in watch check config demo exporter' -s k -l insecure -d 'do not verify TLS certificates'
complete -c wsdash -n '__wsdash_in watch check config demo exporter' -l no-color -d 'no colors'
complete -c wsdash -n '__wsdash_in watch check config demo exporter' -l json -d 'machine-readable output'
complete -c wsdash -n '__wsdash_in watch check config demo serve' -s h -l help -d 'show the options of this command'

# watch (and demo)
complete -c wsdash -n '__wsdash_in watch demo exporter' -l plain -d 'line output even on a terminal'
complete -c wsdash -n '__wsdash_in watch demo exporter' -l duration -x -d 'stop after S seconds'
complete -c wsdash -n '__wsdash_in watch demo exporter' -l ping-interval -x -d 'protocol PING every MS'
complete -c wsdash -n '__wsdash_in watch demo exporter' -l ping-timeout -x -d 'no PONG for MS: stale; for 2x: fall back'
complete -c wsdash -n '__wsdash_in watch demo exporter' -l ping -x -a 'protocol json' -d 'how to ping'
complete -c wsdash -n '__wsdash_in watch demo exporter' -l poll-interval -x -d 'HTTP poll period in fallback (ms)'
complete -c wsdash -n '__wsdash_in watch demo exporter' -l max-message -x -d 'larger messages are counted and dropped'
complete -c wsdash -n '__wsdash_in watch demo exporter' -l hello -x -a none -d 'send this text after connecting'
complete -c wsdash -n '__wsdash_in watch demo exporter' -l no-hello -d 'send nothing after connecting'
complete -c wsdash -n '__wsdash_in watch demo exporter' -l max-silence -x -d 'flag a stream silent for MS'
complete -c wsdash -n '__wsdash_in watch demo exporter' -l no-bell -d 'no terminal bell when a stream falls back'
complete -c wsdash -n '__wsdash_in watch demo exporter' -l retry-base -x -d 'first WebSocket retry after MS'
complete -c wsdash -n '__wsdash_in watch demo exporter' -l on-change -x -a '(__fish_complete_command)' -d 'run a command on every state change'
complete -c wsdash -n '__wsdash_in watch demo exporter' -l on-change-timeout -x -d 'stop an --on-change command after S seconds'
complete -c wsdash -n '__wsdash_in watch demo exporter' -l log -r -F -d 'append the JSON lines to a file'
complete -c wsdash -n '__wsdash_in watch demo' -l status-line -d 'a summary line on each change (tmux status bar)'
complete -c wsdash -n '__wsdash_in watch demo' -l format -x -a 'tmux plain' -d '--status-line styles'

# check
complete -c wsdash -n '__wsdash_in check' -l strict -d '426 Upgrade Required fails too'
complete -c wsdash -n '__wsdash_in check' -l also-head -d 'also send HEAD to each path'
complete -c wsdash -n '__wsdash_in check' -s q -l quiet -d 'print nothing; the exit code tells'
complete -c wsdash -n '__wsdash_in check' -s v -l verbose -d 'each handshake on stderr, as curl -v'

# the demo backend: serve, and demo (whose default scenario is outages)
complete -c wsdash -n '__wsdash_in serve demo' -l scenario -x -a 'steady outages flood' -d 'the schedule of trouble'
complete -c wsdash -n '__wsdash_in serve demo' -l seed -x -d 'repeatable outages and data'
complete -c wsdash -n '__wsdash_in serve demo' -l speed -x -d 'run the scenario clock X times faster'
complete -c wsdash -n '__wsdash_in serve demo' -l rate -x -d 'updates per second per stream'
complete -c wsdash -n '__wsdash_in serve demo' -l port -x -d 'TCP port'
complete -c wsdash -n '__wsdash_in serve demo' -l count -x -d 'flood: updates per connection'
complete -c wsdash -n '__wsdash_in serve' -l bind -x -a '(__fish_print_hostnames)' -d 'address or host name to listen on'
complete -c wsdash -n '__wsdash_in serve demo' -l flavor -x -a 'demo tac' -d 'which backend to imitate'

# config
complete -c wsdash -n '__wsdash_in config' -l init -d 'write a commented starter file'
complete -c wsdash -n '__wsdash_in config; and __fish_prev_arg_in --init' -F

# watch and demo: a Prometheus listener next to the dashboard
complete -c wsdash -n '__wsdash_in watch demo' -l metrics -x -d 'also serve Prometheus /metrics there (ADDR:PORT)'
# exporter
complete -c wsdash -n '__wsdash_in exporter' -l listen -x -d 'where to serve (ADDR:PORT, default 127.0.0.1:10890)'
complete -c wsdash -n '__wsdash_in exporter' -l probe-allow -x -d '/probe may check URLs matching this pattern'
complete -c wsdash -n '__wsdash_in exporter' -l strict -d 'a 426 answer fails a probe'
