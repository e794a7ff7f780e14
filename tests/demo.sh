#!/bin/sh
# make demo: a loopback MSN server with two accounts, and Pidgin (when there is a
# display) or Finch (in this terminal) signed in to it as alice@demo.test.
# Everything lives in a throw-away folder that goes away when the client exits.
#
# Usage: sh tests/demo.sh BUILDDIR
#   MSNP_DEMO_UI=finch|pidgin   choose the client (default: Pidgin if $DISPLAY is set)
#   MSNP_DEMO_PROTOCOL=8..14    highest MSNP version the account offers (default 14)
set -u
builddir=${1:?usage: sh tests/demo.sh BUILDDIR}
case "$builddir" in /*) ;; *) builddir=$(pwd)/$builddir ;; esac
plugin=$builddir/libmsnp.so
server=$builddir/msnp-testserver
protocol=${MSNP_DEMO_PROTOCOL:-14}

for f in "$plugin" "$server"; do
  [ -f "$f" ] || { echo "demo: $f is missing (run: make demo)" >&2; exit 1; }
done

ui=${MSNP_DEMO_UI:-}
if [ -z "$ui" ]; then
  if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && command -v pidgin >/dev/null 2>&1; then ui=pidgin
  else ui=finch; fi
fi
case "$ui" in
  pidgin|finch) command -v "$ui" >/dev/null 2>&1 ||
    { echo "demo: $ui is not installed (sudo apt-get install $ui)" >&2; exit 1; } ;;
  *) echo "demo: MSNP_DEMO_UI must be finch or pidgin" >&2; exit 1 ;;
esac
if [ "$ui" = finch ] && [ ! -t 0 ]; then
  echo "demo: Finch needs a terminal; run make demo from one (or set DISPLAY for Pidgin)" >&2
  exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/msnp-demo.XXXXXX") || exit 1
cfg=$tmp/config
server_pid='' ui_pid='' peer_pid=''
cleanup() {
  [ -n "$peer_pid" ] && kill "$peer_pid" 2>/dev/null && wait "$peer_pid" 2>/dev/null
  if [ -n "$ui_pid" ]; then
    kill "$ui_pid" 2>/dev/null
    i=0
    while kill -0 "$ui_pid" 2>/dev/null && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
    kill -9 "$ui_pid" 2>/dev/null
    wait "$ui_pid" 2>/dev/null
  fi
  exec 8>&- 2>/dev/null            # the server also exits when its stdin closes
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null
    i=0
    while kill -0 "$server_pid" 2>/dev/null && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
    kill -9 "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# --- the server: its stdin is a pipe we hold, so it stops when this script does ---
log=$builddir/demo-server.log
mkfifo "$tmp/ctl"
exec 8<>"$tmp/ctl"
"$server" --versions 8-14 --ns-port 0 --sb-port 0 --http-port 0 \
  --account 'alice@demo.test:demo:Alice' --account 'bob@demo.test:demo:Bob' \
  --group 'alice@demo.test:Friends' \
  --contact 'alice@demo.test:bob@demo.test:FL,AL,RL:Bob:Friends' \
  --contact 'bob@demo.test:alice@demo.test:FL,AL,RL:Alice' \
  --contact 'alice@demo.test:carol@demo.test:FL,AL:Carol:Friends' \
  --presence 'carol@demo.test:AWY:Carol' \
  --account 'echo@demo.test:demo:Echo' \
  --contact 'alice@demo.test:echo@demo.test:FL,AL,RL:Echo:Friends' \
  --contact 'echo@demo.test:alice@demo.test:FL,AL,RL:Alice' \
  --log "$log" --exit-on-stdin-eof <"$tmp/ctl" >"$tmp/server.out" 2>"$tmp/server.err" 8>&- &
server_pid=$!
i=0
while ! grep -q '^READY ' "$tmp/server.out" 2>/dev/null; do
  if ! kill -0 "$server_pid" 2>/dev/null || [ $i -ge 150 ]; then
    echo "demo: the test server did not start:" >&2
    cat "$tmp/server.err" >&2
    exit 1
  fi
  sleep 0.1; i=$((i + 1))
done
ready=$(grep -m 1 '^READY ' "$tmp/server.out")
port_of() { echo "$ready" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
ns=$(port_of ns)
http=$(port_of http)
if [ -z "$ns" ] || [ "$ns" = 0 ] || [ -z "$http" ] || [ "$http" = 0 ]; then
  echo "demo: unexpected line from the test server: $ready" >&2
  exit 1
fi

# --- echo@demo.test: a second plugin instance that answers every message -------
base=http://127.0.0.1:$http
if [ -x "$builddir/msnp-peer" ]; then
  MSNP_BUILDDIR=$builddir "$builddir/msnp-peer" echo@demo.test demo server=127.0.0.1 \
    port="$ns" max_protocol="$protocol" nexus_url="$base/rdr/pprdr.asp" \
    rst_url="$base/RST.srf" ab_url="$base/abservice/abservice.asmx" \
    sharing_url="$base/abservice/SharingService.asmx" --echo \
    </dev/null >"$tmp/peer.out" 2>&1 8>&- &
  peer_pid=$!
fi

# --- the client's throw-away config folder ---------------------------------------
mkdir -p "$cfg/plugins" "$tmp/data"
cp "$plugin" "$cfg/plugins/libmsnp.so"
# The plugin, loaded from the user's plugin folder, reads its translations from
# $XDG_DATA_HOME/locale: point that at the build's .mo files.
[ -d "$builddir/locale" ] && ln -s "$builddir/locale" "$tmp/data/locale"

base=http://127.0.0.1:$http
account() { # email password enabled
  cat <<XML
 <account>
  <protocol>prpl-msnp</protocol>
  <name>$1</name>
  <password>$2</password>
  <settings>
   <setting name='server' type='string'>127.0.0.1</setting>
   <setting name='port' type='int'>$ns</setting>
   <setting name='max_protocol' type='int'>$protocol</setting>
   <setting name='nexus_url' type='string'>$base/rdr/pprdr.asp</setting>
   <setting name='rst_url' type='string'>$base/RST.srf</setting>
   <setting name='ab_url' type='string'>$base/abservice/abservice.asmx</setting>
   <setting name='sharing_url' type='string'>$base/abservice/SharingService.asmx</setting>
  </settings>
  <settings ui='gtk-gaim'>
   <setting name='auto-login' type='bool'>$3</setting>
  </settings>
  <settings ui='gnt-purple'>
   <setting name='auto-login' type='bool'>$3</setting>
  </settings>
 </account>
XML
}
{
  echo "<?xml version='1.0' encoding='UTF-8' ?>"
  echo "<account version='1.0'>"
  account alice@demo.test demo 1
  account bob@demo.test demo 0
  echo "</account>"
} >"$cfg/accounts.xml"
# Pidgin: show the buddy list at once instead of waiting for a system tray.
cat >"$cfg/prefs.xml" <<'XML'
<?xml version='1.0' encoding='UTF-8' ?>
<pref version='1' name='/'>
 <pref name='pidgin'>
  <pref name='blist'>
   <pref name='list_visible' type='bool' value='1'/>
  </pref>
  <pref name='docklet'>
   <pref name='show' type='string' value='never'/>
  </pref>
 </pref>
</pref>
XML

if [ "$ui" = finch ]; then
  quit="Quit Finch with Alt+Q (Alt+A opens the action list: Accounts, Buddy List …)."
else
  quit="Quit Pidgin from its buddy list: Buddies > Quit (Ctrl+Q)."
fi
cat <<EOF2

  purple-msnp demo
  ----------------
  A loopback MSN server is running on 127.0.0.1 (notification server port $ns,
  HTTP login on port $http, MSNP 8-14) with two accounts:
      alice@demo.test / demo   (signed in for you)
      bob@demo.test   / demo   (in the account list, disabled: enable it to chat
                                with alice from the same window)
      echo@demo.test           (always online: answers every message, keeping
                                its fonts and colours)
  Starting $ui with a throw-away settings folder ($cfg).
  $quit
  When it exits, the server stops and the folder is removed.
  Server log: $log

EOF2

# The client runs in the background of this script (same process group, so it
# keeps the terminal) and we wait for it: a signal to this script then stops the
# client too.  It must not hold the server's stdin pipe open.
[ "$ui" = finch ] && sleep 2      # leave the banner on screen a moment
exec 3<&0
XDG_DATA_HOME=$tmp/data "$ui" -c "$cfg" <&3 8>&- &
ui_pid=$!
wait "$ui_pid"
rc=$?
ui_pid=''
echo "demo: $ui exited (status $rc); stopping the server."
exit 0
