#!/usr/bin/env bash
# `npm run stop`: stops what `npm start` started, and nothing else.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
RUN="$STATE/run"
[ -d "$RUN" ] || { say "Nothing to stop."; exit 0; }
stop_services "$RUN"
if [ -f "$RUN/data-dir" ]; then cluster_stop "$(cat "$RUN/data-dir")"; fi
rm -f "$RUN/stack.env"
say "Stopped Threadline local development setup."
