# shellcheck shell=sh disable=SC2034,SC2154  # variables shared with the sourcing script
# Helpers shared by the UI scripts in tests/ui (sourced, POSIX sh; not a test).
#
#   ok / not_ok / skip / skip_all       TAP lines, numbered through $n
#   need WHAT CMD:PACKAGE ...          skip_all unless every command is installed
#   poll CMD ...                       retry CMD for up to $limit tenths of a second
#   stop PID                           TERM, up to 3 s, then KILL (and reap)
#   start_xvfb                         Xvfb on a free display: sets DISPLAY, xvfb_pid
#   make_cert                          self-signed loopback cert: cert, key, tls_fp
#   start_server NAME ARGS...          a test server: NAME_ns, NAME_http, NAME_https
#   stop_servers                       stops every server start_server started
#   msnp_account EMAIL PASSWORD UI KEY=VALUE...   one <account> of accounts.xml
#   pidgin_prefs WIDTH HEIGHT [EXTRA]  a prefs.xml: buddy list at 0,0, no tray icon
#   LOG_SYSTEM_PREF                    prefs.xml lines: libpurple keeps a system log
#   signed_on CONFIG EMAIL             libpurple logged "+++ EMAIL signed on" there
#   connection_errors DEBUGLOG         "EMAIL<TAB>REASON<TAB>TEXT" per connection error
#
# The caller sets $tmp (a scratch folder it removes) before using the last five.
n=0
ok()     { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n $*"; }
skip()   { n=$((n + 1)); echo "ok $n $1 # SKIP $2"; }
skip_all() { echo "1..1"; echo "ok 1 $1 # SKIP $2"; exit 0; }

need() { # what cmd:package ...
  need_what=$1; shift
  for p; do
    command -v "${p%%:*}" >/dev/null 2>&1 ||
      skip_all "$need_what" "${p%%:*} not installed (apt-get install ${p#*:})"
  done
}

poll() {
  i=0
  while [ $i -lt "$limit" ]; do
    "$@" && return 0
    sleep 0.1; i=$((i + 1))
  done
  return 1
}

stop() { # pid: TERM, wait up to 3 s, then KILL
  [ -n "$1" ] || return 0
  kill "$1" 2>/dev/null || { wait "$1" 2>/dev/null; return 0; }
  i=0
  while kill -0 "$1" 2>/dev/null && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
  kill -9 "$1" 2>/dev/null
  wait "$1" 2>/dev/null
}

# Xvfb picks a free display itself and tells us through fd 3.
xvfb_pid=''
start_xvfb() {
  Xvfb -displayfd 3 -screen 0 "${1:-1024x768x24}" -nolisten tcp 3>"$tmp/display" \
    >"$tmp/xvfb.log" 2>&1 9>&- &
  xvfb_pid=$!
  limit=100
  if ! poll test -s "$tmp/display"; then
    sed 's/^/# /' "$tmp/xvfb.log" | tail -n 5
    return 1
  fi
  DISPLAY=:$(head -n 1 "$tmp/display")
  export DISPLAY
}

# A self-signed certificate for 127.0.0.1 and its SHA-256 fingerprint as
# `openssl x509 -fingerprint` prints it (what the "Trusted certificate" option takes).
make_cert() {
  cert=$tmp/cert.pem key=$tmp/key.pem
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$key" -out "$cert" >/dev/null 2>&1 || return 1
  tls_fp=$(openssl x509 -noout -fingerprint -sha256 -in "$cert" | sed 's/^[^=]*=//')
  [ -n "$tls_fp" ]
}

# start_server NAME ARGS...: runs BUILDDIR/msnp-testserver with free ports (HTTPS
# too when make_cert ran), waits for its READY line and sets NAME_ns, NAME_http and
# NAME_https.  Its stdin is a pipe this shell holds on fd 9, so the server also goes
# when the script is killed outright; other children should get 9>&-.
server_pids=''
start_server() {
  srv=$1; shift
  if [ ! -p "$tmp/server-ctl" ]; then
    mkfifo "$tmp/server-ctl" || return 1
    exec 9<>"$tmp/server-ctl"
  fi
  set -- --ns-port 0 --sb-port 0 --http-port 0 --exit-on-stdin-eof \
    --log "$tmp/server-$srv.log" "$@"
  [ -n "${cert:-}" ] && set -- --https-port 0 --tls-cert "$cert" --tls-key "$key" "$@"
  "$builddir/msnp-testserver" "$@" <"$tmp/server-ctl" >"$tmp/server-$srv.out" \
    2>"$tmp/server-$srv.err" 9>&- &
  srv_pid=$!
  server_pids="$srv_pid $server_pids"
  limit=150
  if ! poll grep -qs '^READY ' "$tmp/server-$srv.out"; then
    echo "# test server $srv did not start:"
    sed 's/^/#   /' "$tmp/server-$srv.err" | tail -n 5
    return 1
  fi
  for k in ns http https; do
    v=$(grep -m 1 '^READY ' "$tmp/server-$srv.out" | tr ' ' '\n' | sed -n "s/^$k=//p")
    eval "${srv}_$k=\${v:-0}"
  done
}
stop_servers() {
  for p in $server_pids; do stop "$p"; done
  server_pids=''
}

# msnp_account EMAIL PASSWORD UI-ID KEY=VALUE...: an enabled (auto-login) account
# for the UI (gtk-gaim for Pidgin, gnt-purple for Finch).  port and max_protocol
# are ints, every other setting a string.
msnp_account() {
  printf ' <account>\n  <protocol>prpl-msnp</protocol>\n  <name>%s</name>\n' "$1"
  printf '  <password>%s</password>\n  <settings>\n' "$2"
  acc_ui=$3; shift 3
  for kv; do
    case "${kv%%=*}" in port|max_protocol) t=int ;; *) t=string ;; esac
    printf "   <setting name='%s' type='%s'>%s</setting>\n" "${kv%%=*}" "$t" "${kv#*=}"
  done
  printf "  </settings>\n  <settings ui='%s'>\n" "$acc_ui"
  printf "   <setting name='auto-login' type='bool'>1</setting>\n  </settings>\n </account>\n"
}

# pidgin_prefs WIDTH HEIGHT [EXTRA-XML]: the buddy list shows at once (no wait for
# a system tray) at 0,0 with the given size; EXTRA goes inside <pref name='pidgin'>'s
# parent (e.g. a <pref name='purple'> block).
pidgin_prefs() {
  cat <<XML
<?xml version='1.0' encoding='UTF-8' ?>
<pref version='1' name='/'>
${3:-}
 <pref name='pidgin'>
  <pref name='blist'>
   <pref name='list_visible' type='bool' value='1'/>
   <pref name='show_protocol_icons' type='bool' value='1'/>
   <pref name='x' type='int' value='0'/>
   <pref name='y' type='int' value='0'/>
   <pref name='width' type='int' value='$1'/>
   <pref name='height' type='int' value='$2'/>
  </pref>
  <pref name='docklet'>
   <pref name='show' type='string' value='never'/>
  </pref>
 </pref>
</pref>
XML
}

# libpurple prints no debug line when an account signs on; with this pref it writes
# "+++ EMAIL signed on" to the account's system log (CONFIG/logs/...).
LOG_SYSTEM_PREF=" <pref name='purple'>
  <pref name='logging'>
   <pref name='log_system' type='bool' value='1'/>
  </pref>
 </pref>"
signed_on() { # config-folder email
  grep -rqF "+++ $2 signed on" "$1/logs" 2>/dev/null
}

# connection_errors DEBUGLOG: one line "EMAIL<TAB>REASON<TAB>TEXT" per
# "connection: Connection error on GC (reason: N description: TEXT)" in a UI's
# debug log, in order, GC mapped to the account whose "Connecting to account"
# line came just before its "Connecting. gc = GC".
connection_errors() {
  awk '
    /account: Connecting to account / {
      a = $0; sub(/.*Connecting to account /, "", a); sub(/\.$/, "", a); next }
    /connection: Connecting\. gc = / { g = $0; sub(/.* gc = /, "", g); acct[g] = a; next }
    /connection: Connection error on / {
      g = $0; sub(/.*Connection error on /, "", g); sub(/ .*/, "", g)
      r = $0; sub(/.*\(reason: /, "", r); sub(/ .*/, "", r)
      t = $0; sub(/.* description: /, "", t); sub(/\)$/, "", t)
      print acct[g] "\t" r "\t" t }' "$1"
}
