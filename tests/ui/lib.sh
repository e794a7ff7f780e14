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
#   need_built FILE...                 bail out (TAP) unless every FILE was built
#   bail_unless_server NAME ARGS...    make_cert (once) and start_server, or bail out
#   msnp_account EMAIL PASSWORD UI KEY=VALUE...   one <account> of accounts.xml
#   accounts_xml                       accounts.xml around the <account>s on stdin
#   loopback_settings NS HTTPS VERSION msnp_account settings: the test server, TLS
#   pidgin_prefs WIDTH HEIGHT [EXTRA]  a prefs.xml: buddy list at 0,0, no tray icon
#   LOG_SYSTEM_PREF                    prefs.xml lines: libpurple keeps a system log
#   signed_on CONFIG EMAIL             libpurple logged "+++ EMAIL signed on" there
#   connection_errors DEBUGLOG         "EMAIL<TAB>REASON<TAB>TEXT" per connection error
#   contact_list OWNER                 test server options: the buddy-list scripts' list
#   https_urls PORT                    msnp_account settings: every service over HTTPS
#   find_window REGEX, pidgin_blist    Pidgin's windows by title (xdotool): win, blist
#   start_finch, finch_*, screen_png   Finch in tmux (its section below)
#   start_bus, purple, signal_args     libpurple's D-Bus API in Pidgin (its section)
#   start_peer HANDLE PW ARGS, peer_said  msnp-peer as a second user on fd 8 (the end)
#
# The caller sets $tmp (a scratch folder it removes) before using start_xvfb and
# everything from make_cert on.
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

# need_built FILE...: "1..1" and "not ok 1 FILE not built", exit 1, for the first
# FILE missing.
need_built() {
  for f; do
    [ -f "$f" ] || { echo "1..1"; echo "not ok 1 $f not built"; exit 1; }
  done
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
# bail_unless_server NAME ARGS...: make_cert (unless it ran) and start_server NAME
# ARGS..., or the one-test TAP of a bail-out and exit 1.
bail_unless_server() {
  [ -n "${cert:-}" ] ||
    make_cert || { echo "1..1"; echo "not ok 1 openssl could not make a certificate"; exit 1; }
  start_server "$@" || { echo "1..1"; echo "not ok 1 the test server starts"; exit 1; }
}
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

# accounts_xml: an accounts.xml holding the <account> elements read from stdin
# (msnp_account's output), e.g. msnp_account ... | accounts_xml >"$cfg/accounts.xml".
accounts_xml() {
  echo "<?xml version='1.0' encoding='UTF-8' ?>"
  echo "<account version='1.0'>"
  cat
  echo "</account>"
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

# contact_list OWNER: the test server options (no spaces: split them) for the list
# the buddy-list scripts show.  Groups in this order: Friends, Work.
#   bob    FL AL RL  Friends  online, "Bob B."
#   carol  FL AL RL  Work     Busy, "Carol C."
#   dave   FL AL RL  Friends  offline, "Dave D."
#   erin   FL AL RL  -        Away, "Erin E." (no group: "Other Contacts")
#   frank  RL PL              added OWNER, pending: an authorization request
#   greg   FL BL     Work     blocked, offline, "Greg G."
# 6 contacts, 5 of them buddies, 1 request.
contact_list() {
  echo "--group=$1:Friends --group=$1:Work" \
    "--contact=$1:bob@example.com:FL+AL+RL:Bob%20B.:Friends" \
    "--contact=$1:carol@example.com:FL+AL+RL:Carol%20C.:Work" \
    "--contact=$1:dave@example.com:FL+AL+RL:Dave%20D.:Friends" \
    "--contact=$1:erin@example.com:FL+AL+RL:Erin%20E." \
    "--contact=$1:frank@example.com:RL+PL:Frank%20F." \
    "--contact=$1:greg@example.com:FL+BL:Greg%20G.:Work" \
    "--presence=bob@example.com:NLN:Bob%20B." "--presence=carol@example.com:BSY:Carol%20C." \
    "--presence=erin@example.com:AWY:Erin%20E."
}

# https_urls PORT: msnp_account settings sending Passport/RST and (MSNP13+) the
# address book and sharing services to the test server's HTTPS port.
https_urls() {
  echo "nexus_url=https://127.0.0.1:$1/rdr/pprdr.asp" "rst_url=https://127.0.0.1:$1/RST.srf" \
    "ab_url=https://127.0.0.1:$1/abservice/abservice.asmx" \
    "sharing_url=https://127.0.0.1:$1/abservice/SharingService.asmx"
}

# loopback_settings NS-PORT HTTPS-PORT VERSION: msnp_account settings (no spaces:
# split them) for a test server of start_server's: its NS port, MSNP up to VERSION,
# every service over its HTTPS port (https_urls), make_cert's certificate trusted.
loopback_settings() {
  echo "server=127.0.0.1 port=$1 max_protocol=$3 $(https_urls "$2") tls_fingerprint=$tls_fp"
}

# find_window REGEX: the first visible X window whose title matches -> $win.
find_window() {
  win=$(xdotool search --onlyvisible --name "$1" 2>/dev/null | head -n 1)
  [ -n "$win" ]
}
# pidgin_blist: waits (20 s) for Pidgin's Buddy List window and reports it as a
# test ("pidgin starts and shows the buddy list"); blist is its id ('' if none).
pidgin_blist() {
  limit=200
  if poll find_window '^Buddy List$'; then
    ok "pidgin starts and shows the buddy list"
    blist=$win
  else
    not_ok "pidgin starts and shows the buddy list"
    blist=''
  fi
}

# --- Finch in tmux ------------------------------------------------------------------
# start_finch CONFIG COLS ROWS: Finch -d in a detached tmux session "finch" of that
# size (socket $tmp/tmux.sock, HOME $tmp/home, LC_ALL C.UTF-8, its debug output in
# $tmp/debug.log, its pid in $tmp/finch.pid); "FINCH-EXITED status=N" shows on the
# screen if it ends.  stop_finch ends it (cleanup).
#   finch_screen [-e]        the screen's text (-e: with its colours' escapes)
#   finch_wait REGEX [SECS]  poll the screen until a line matches (default 10 s)
#   finch_keys KEY...        tmux send-keys, then 0.3 s for Finch to draw
#   finch_down, finch_home   the Down arrow and Home keys
#   finch_focused            the title of the window with the focus (the taskbar,
#                            Finch's last line, shows it white on blue)
#   finch_focus TITLE        Alt-N (next window) until TITLE has the focus
#   screen_png PNG           the screen, colours and all, drawn as a PNG (Pango)
#   tooltip_fields           the "Key: value" fields of the windows in a screen's
#                            text (stdin), one a line: a tooltip's lines, say
#   finch_tooltip HANDLE     the Buddy List focused, Home, then Down until the
#                            tooltip titled HANDLE shows: its screen's fields
# finch_config CONFIG: prefs.xml (libpurple's system log on) and $tmp/home/.gntpositions
# for a 200x50 screen: a 60x30 buddy list showing offline buddies at the top left
# (the tooltip of its selected row beside it), the Debug Window (Finch -d opens
# it) small in the bottom right corner, an "Authorize buddy?" dialog at the right.
finch_tmux() { tmux -S "$tmp/tmux.sock" "$@"; }
finch_config() {
  cat >"$1/prefs.xml" <<XML
<?xml version='1.0' encoding='UTF-8' ?>
<pref version='1' name='/'>
$LOG_SYSTEM_PREF
 <pref name='finch'>
  <pref name='blist'>
   <pref name='showoffline' type='bool' value='1'/>
   <pref name='size'>
    <pref name='width' type='int' value='60'/>
    <pref name='height' type='int' value='30'/>
   </pref>
  </pref>
  <pref name='debug'>
   <pref name='size'>
    <pref name='width' type='int' value='40'/>
    <pref name='height' type='int' value='6'/>
   </pref>
  </pref>
 </pref>
</pref>
XML
  mkdir -p "$tmp/home"
  printf '[positions]\n.Buddy List = 0;0\n.Debug Window = 158;42\n.Authorize buddy? = 120;0\n' \
    >"$tmp/home/.gntpositions"
}
start_finch() {
  finch_tmux -f /dev/null new-session -d -s finch -x "$2" -y "$3" \
    "sh -c 'echo \$\$ >\"$tmp/finch.pid\"; exec env -u G_DEBUG HOME=\"$tmp/home\" LC_ALL=C.UTF-8 LANGUAGE= finch -c \"$1\" -d 2>\"$tmp/debug.log\" 9>&-'; echo FINCH-EXITED status=\$?; sleep 60"
}
stop_finch() {
  [ -S "$tmp/tmux.sock" ] && finch_tmux kill-server 2>/dev/null
  fp=$(cat "$tmp/finch.pid" 2>/dev/null)
  [ -n "$fp" ] || return 0
  i=0
  while kill -0 "$fp" 2>/dev/null && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
  kill -9 "$fp" 2>/dev/null
}
finch_screen() { finch_tmux capture-pane -p ${1:+"$1"} -t finch 2>/dev/null; }
finch_wait() {
  fw_i=0 fw_n=$(( ${2:-10} * 10 ))
  while [ $fw_i -lt $fw_n ]; do
    finch_screen | grep -qE "$1" && return 0
    sleep 0.1; fw_i=$((fw_i + 1))
  done
  return 1
}
finch_keys() { finch_tmux send-keys -t finch "$@"; sleep 0.3; }
# The arrow keys as Finch's terminfo has them (tmux sends ESC [ B for "Down"
# unless the program asked for keypad mode, which Finch does not).
finch_down() { finch_tmux send-keys -t finch -l "$(printf '\033OB')"; sleep 0.3; }
finch_home() { finch_tmux send-keys -t finch -l "$(printf '\033[1~')"; sleep 0.3; }
finch_focused() {
  finch_screen -e | tail -n 1 |
    sed -n 's/.*\x1b\[[0-9;]*44m\([^\x1b]*\).*/\1/p' | sed 's/ *$//'
}
finch_focus() {
  ff_i=0
  while [ "$(finch_focused)" != "$1" ]; do
    [ $ff_i -lt 8 ] || return 1
    finch_keys M-n; ff_i=$((ff_i + 1))
  done
}
tooltip_fields() {
  awk '{ n = split($0, f, "│")
         for (k = 1; k <= n; k++)
           if (f[k] ~ /^[A-Z][A-Za-z ]*: /) { sub(/ +$/, "", f[k]); print f[k] } }'
}
finch_tooltip() {
  finch_focus 'Buddy List' || return 1
  finch_home
  ft_i=0
  while :; do
    ft_screen=$(finch_screen)
    if printf '%s\n' "$ft_screen" | grep -qF "┤$1├"; then
      printf '%s\n' "$ft_screen" | tooltip_fields; return 0
    fi
    [ $ft_i -lt 12 ] || return 1
    finch_down; ft_i=$((ft_i + 1))
    # Finch may draw later on a busy machine: wait (up to 1 s) for the screen to
    # change, and a moment more for the whole tooltip.
    ft_j=0
    while [ "$(finch_screen)" = "$ft_screen" ] && [ $ft_j -lt 10 ]; do
      sleep 0.1; ft_j=$((ft_j + 1))
    done
    sleep 0.2
  done
}
# ansi_pango: text with SGR escapes (tmux capture-pane -e) -> Pango markup lines.
ansi_pango() {
  awk '
    BEGIN {
      split("#000000 #cd0000 #00cd00 #cdcd00 #3b78ff #cd00cd #00cdcd #e5e5e5", pal, " ")
      split("#7f7f7f #ff0000 #00ff00 #ffff00 #5c5cff #ff00ff #00ffff #ffffff", bri, " ")
      fg = ""; bg = ""; bold = 0; rev = 0
    }
    function esc(s) {
      gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); return s
    }
    function span(s,   f, b, t) {
      if (s == "") return ""
      f = fg == "" ? "#e5e5e5" : fg; b = bg == "" ? "#000000" : bg
      if (rev) { t = f; f = b; b = t }
      return "<span foreground=\"" f "\" background=\"" b "\"" \
        (bold ? " weight=\"bold\"" : "") ">" esc(s) "</span>"
    }
    {
      line = $0; res = ""
      while ((i = index(line, "\033[")) > 0) {
        res = res span(substr(line, 1, i - 1)); line = substr(line, i + 2)
        if (!match(line, /[@-~]/)) { line = ""; break }
        code = substr(line, 1, RSTART - 1); cmd = substr(line, RSTART, 1)
        line = substr(line, RSTART + 1)
        if (cmd != "m") continue
        np = split(code, p, ";"); if (np == 0) { np = 1; p[1] = 0 }
        for (k = 1; k <= np; k++) {
          c = p[k] + 0
          if (c == 0) { fg = ""; bg = ""; bold = 0; rev = 0 }
          else if (c == 1) bold = 1
          else if (c == 22) bold = 0
          else if (c == 7) rev = 1
          else if (c == 27) rev = 0
          else if (c >= 30 && c <= 37) fg = pal[c - 29]
          else if (c == 39) fg = ""
          else if (c >= 40 && c <= 47) bg = pal[c - 39]
          else if (c == 49) bg = ""
          else if (c >= 90 && c <= 97) fg = bri[c - 89]
          else if (c >= 100 && c <= 107) bg = bri[c - 99]
          else if (c == 38 || c == 48) k += (p[k + 1] == 5 ? 2 : 4)
        }
      }
      print res span(line)
    }'
}
screen_png() {
  command -v convert >/dev/null 2>&1 || return 1
  sp_markup=$(finch_screen -e | ansi_pango | sed 's/%/%%/g')
  convert -background black \
    pango:"<span font_family=\"DejaVu Sans Mono,monospace\" size=\"10240\">$sp_markup</span>" \
    "$1" 2>"$tmp/png.err"
}

# --- libpurple's D-Bus API in Pidgin ------------------------------------------------
# start_bus: a private session bus for Pidgin (it serves libpurple's API there as
# im.pidgin.purple.PurpleService) and a dbus-monitor writing every signal of that
# API to $tmp/signals.log (Pidgin relays libpurple's and its own signals: BuddyAdded,
# DrawingBuddy when the buddy list draws a buddy's row, DrawingTooltip, ...).  Sets
# bus (the address; empty when dbus-daemon, dbus-send or dbus-monitor is missing or
# the bus did not start), bus_pid and monitor_pid (stop both in cleanup).
#   purple METHOD ARGS...    a call (dbus-send types: int32:N string:S); the reply's
#                            values one a line ("int32 5"; a string bare)
#   purple_ref METHOD ARGS   the value of a call answering one number
#   signal_args MEMBER [N]   the Nth (default 1st) value of each MEMBER signal seen
bus='' bus_pid='' monitor_pid=''
start_bus() {
  command -v dbus-daemon >/dev/null 2>&1 && command -v dbus-send >/dev/null 2>&1 &&
    command -v dbus-monitor >/dev/null 2>&1 || return 1
  dbus-daemon --session --nofork --address="unix:path=$tmp/bus" --print-address=1 \
    >"$tmp/bus.addr" 2>"$tmp/bus.err" 9>&- &
  bus_pid=$!
  limit=50
  poll test -s "$tmp/bus.addr" || return 1
  DBUS_SESSION_BUS_ADDRESS=unix:path=$tmp/bus dbus-monitor --session \
    "type='signal',interface='im.pidgin.purple.PurpleInterface'" \
    >"$tmp/signals.log" 2>&1 9>&- &
  monitor_pid=$!
  # Monitoring starts once dbus-monitor has given up its own name.
  poll grep -q 'member=NameLost' "$tmp/signals.log" || return 1
  bus=unix:path=$tmp/bus
}
purple() {
  pm=$1; shift
  DBUS_SESSION_BUS_ADDRESS=$bus dbus-send --session --print-reply=literal \
    --reply-timeout=3000 --dest=im.pidgin.purple.PurpleService /im/pidgin/purple/PurpleObject \
    "im.pidgin.purple.PurpleInterface.$pm" "$@" 2>/dev/null |
    awk '{ sub(/^ +/, ""); sub(/ +$/, ""); print }'
}
purple_ref() { purple "$@" | awk 'NR == 1 { print $2 }'; }
signal_args() {
  awk -v m="member=$1" -v k="${2:-1}" '
    /^signal / { on = ($NF == m); i = 0; next }
    on && /^ *[a-z0-9]+ / {
      if (++i == k) { sub(/^ *[a-z0-9]+ /, ""); sub(/^"/, ""); sub(/"$/, ""); print } }
  ' "$tmp/signals.log"
}

# start_peer HANDLE PASSWORD ARGS...: msnp-peer (BUILDDIR's) signed in as HANDLE,
# reading commands from $tmp/peer-in, which this shell holds open on fd 8 (write
# commands with `echo … >&8`), printing to $tmp/peer.out; sets peer_pid and
# defines peer_said LINE.  Prints the TAP line "the peer signs in as HANDLE";
# returns 1 when it did not.
start_peer() {
  sp_who=$1
  mkfifo "$tmp/peer-in"
  exec 8<>"$tmp/peer-in"
  TMPDIR=$tmp/peer-tmp MSNP_BUILDDIR=$builddir "$builddir/msnp-peer" "$@" \
    <"$tmp/peer-in" >"$tmp/peer.out" 2>"$tmp/peer.err" 8>&- 9>&- &
  peer_pid=$!
  wait_up_to 200
  poll peer_up
  if peer_said signed-on; then
    ok "the peer signs in as $sp_who"
  else
    not_ok "the peer signs in as $sp_who"
    sed 's/^/# peer: /' "$tmp/peer.out" "$tmp/peer.err" | tail -n 5
    return 1
  fi
}
peer_said() { grep -qsxF -- "$1" "$tmp/peer.out"; }
peer_up() { peer_said signed-on || ! kill -0 "$peer_pid" 2>/dev/null; }
