#!/usr/bin/env bash
# npm run local:smoke: the whole design on this machine (npm run local), the post-deploy smoke test through
# its gateway, then a stop. Fails when local does not become ready within 180 s, the smoke test fails, or
# any process local started is still running 10 s after SIGTERM. Extra arguments go to npm run local.
set -uo pipefail
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# Its own process group, so SIGTERM reaches it as Ctrl-C reaches a terminal's foreground job.
PORT=0 setsid npm run --silent local -- "$@" >"$dir/session.json" 2>"$dir/local.log" &
pid=$!
until [[ -s $dir/session.json ]] || ! kill -0 "$pid" 2>/dev/null || ((SECONDS > 180)); do sleep 0.5; done
if [[ ! -s $dir/session.json ]]; then
  echo "local:smoke: npm run local did not become ready:" >&2
  tail -40 "$dir/local.log" >&2
  kill -TERM -- "-$pid" 2>/dev/null
  exit 1
fi
status=0
npm run --silent smoke -- --session "$dir/session.json" || status=1
kill -TERM -- "-$pid" 2>/dev/null
stop_by=$((SECONDS + 10))
while pgrep -g "$pid" >/dev/null && ((SECONDS < stop_by)); do sleep 0.5; done
if pgrep -g "$pid" >/dev/null; then
  echo "local:smoke: npm run local left processes running 10 s after SIGTERM:" >&2
  pgrep -a -g "$pid" >&2
  kill -KILL -- "-$pid"
  status=1
fi
exit $status
