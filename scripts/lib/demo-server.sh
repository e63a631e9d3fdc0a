# Sourced by scripts that need a running product with data and an API token.
#   start_demo_server BINARY CONTACTS
# starts BINARY on a free loopback port with a fresh SQLite file holding a demo workspace,
# signs in as its admin like a browser, creates an API token on the tokens page, and sets
#   base   the server's URL        token   the API token        work   a temp folder
# stop_demo_server ends it and removes the folder (call it from an EXIT trap).

start_demo_server() {
  local bin=$1 contacts=${2:-1000}
  work=$(mktemp -d)
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  SQLITE_PATH="$work/demo.sqlite" LOG_LEVEL=error "$bin" demo --contacts "$contacts" --password "demo-password-1" --domain demo.test >/dev/null
  SQLITE_PATH="$work/demo.sqlite" LOG_LEVEL=error "$bin" serve --hostname 127.0.0.1 --port "$port" >"$work/server.log" 2>&1 &
  demo_server_pid=$!
  base="http://127.0.0.1:$port"
  for _ in $(seq 1 200); do curl -fs "$base/health" >/dev/null 2>&1 && break; sleep 0.1; done

  local jar="$work/cookies" csrf
  curl -fs -c "$jar" -b "$jar" "$base/login" >/dev/null
  csrf=$(awk '$6=="smarketing_csrf"{print $7}' "$jar")
  curl -fs -c "$jar" -b "$jar" -o /dev/null --data-urlencode "email=admin@demo.test" \
    --data-urlencode "password=demo-password-1" --data-urlencode "_csrf=$csrf" "$base/login"
  token=$(curl -fs -c "$jar" -b "$jar" --data-urlencode "name=scripts" --data-urlencode "_csrf=$csrf" "$base/settings/tokens" \
    | grep -o 'id="new-token"[^>]*>smk_[A-Za-z0-9_-]*' | sed 's/.*>//')
  if [ -z "$token" ]; then
    echo "could not create an API token; server log:" >&2
    cat "$work/server.log" >&2
    return 1
  fi
}

stop_demo_server() {
  if [ -n "${demo_server_pid:-}" ]; then kill "$demo_server_pid" 2>/dev/null || true; wait "$demo_server_pid" 2>/dev/null || true; fi
  [ -n "${work:-}" ] && rm -rf "$work"
  return 0
}
