#!/usr/bin/env bash
# shellcheck disable=SC2317  # functions run from traps
# Builds tandem and runs a self-contained demo bastion in ./demo, in the foreground.
#
#   scripts/demo.sh
#
# The demo: its own instance (config, SQLite store, keys, recordings) in ./demo, a managed host
# (a throwaway OpenSSH sshd on loopback, ./demo/host), a user `demo` with the key
# ./demo/demo_user_key, the account <you>@demo-host granted to it and to `guest` (key
# ./demo/guest_key, for trying shared sessions), tandem-broker with its web face on
# https://localhost:8443 (or the next free port; web passwords in ./demo/*.web-password), and
# tandem-sshd on 127.0.0.1:2222 (or a free port when 2222 is taken). Ctrl-C stops everything;
# running it again reuses the instance (delete ./demo to start afresh).
set -euo pipefail

TANDEM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$TANDEM_ROOT"
TANDEM_BUILD_TARGETS="tandem-admin tandem-sshd tandem-shell tandem-broker webview" \
    "$TANDEM_ROOT/scripts/build.sh" build
TANDEM_BIN=$TANDEM_ROOT/build/bin
# shellcheck source=scripts/lib/instance.sh
source "$TANDEM_ROOT/scripts/lib/instance.sh"

dir=demo
stopping=0 tail_pid=""
stop_demo() {
    [ "$stopping" = 1 ] && return
    stopping=1
    [ -n "$tail_pid" ] && kill "$tail_pid" 2>/dev/null
    tandem_sshd_stop
    tandem_broker_stop
    tandem_host_stop "$dir"
    echo "demo stopped"
}
trap stop_demo EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

tandem_instance_up "$dir"
tandem_add_guest "$dir"  # instances made before sharing existed
demo_password=$(tandem_web_password "$dir" "$TANDEM_DEMO_USER")
guest_password=$(tandem_web_password "$dir" guest)
port=0
tandem_port_is_free 2222 && port=2222
tandem_sshd_start "$dir" "$port" "$dir/tandem-sshd.log"
# The web face on loopback only, with the public URL naming the port it really has, and the
# SSH address invitees are told (web creators' Invite friends prints the ssh join line).
web_port=$(tandem_free_port_from 8443)
web_url=https://localhost:$web_port
tandem_broker_start "$dir" "$dir/tandem-broker.log" --web.listen="127.0.0.1:$web_port" \
    --web.public_url="$web_url" --web.assets="$TANDEM_ROOT/build/webview" \
    --ssh.public_address="127.0.0.1:$TANDEM_SSHD_PORT"

account=$(tandem_demo_account)
fingerprint=$(ssh-keygen -l -f "$dir/known_hosts" | awk '{print $2}')
log_file=$(tandem_conf_value "$dir/tandem.conf" log file)
cat <<EOF

tandem demo is running (instance in $TANDEM_ROOT/$dir). Connect from $TANDEM_ROOT:

  ssh -i $dir/demo_user_key -p $TANDEM_SSHD_PORT $TANDEM_DEMO_USER@127.0.0.1
      the tandem> prompt: type hosts, then connect $account

  ssh -t -i $dir/demo_user_key -p $TANDEM_SSHD_PORT $TANDEM_DEMO_USER@127.0.0.1 $account
      straight onto the managed host

Sharing: in a session press Ctrl-], type share, and Enter. A second person, guest, can join:
  ssh -i $dir/guest_key -p $TANDEM_SSHD_PORT join@127.0.0.1 TOKEN
      (the TOKEN from the share line; guest's own key names them). See docs/sharing.md.

Web: $web_url/  (user $TANDEM_DEMO_USER, password $demo_password;
  guest's password: $guest_password). The certificate is the instance's self-signed one
  ($dir/tls.crt): the browser warns once. Host Ops > LogIn opens a session in the browser;
  Share > Invite friends gives the URL for guest (log in as guest in another browser, Enter).
  A URL printed by share over SSH works the same. See docs/web.md.

The bastion's host key is $fingerprint (ssh asks once).
In a session, Ctrl-] opens the tandem command line; Ctrl-] twice sends one Ctrl-].
Admin CLI: build/bin/tandem-admin --config $dir/tandem.conf sessions (or help)
Recordings: $(tandem_conf_value "$dir/tandem.conf" session recordings_dir)/
Ctrl-C stops the demo. The log (${log_file:-$dir/tandem-sshd.log}) follows.

EOF
# Follow the log until tandem-sshd ends or Ctrl-C/SIGTERM. `wait` (unlike a foreground command)
# lets the traps run at once.
tail -n 0 -F --pid="$TANDEM_SSHD_PID" "$dir/tandem-sshd.log" ${log_file:+"$log_file"} 2>/dev/null &
tail_pid=$!
wait "$tail_pid" || true
status=0
wait "$TANDEM_SSHD_PID" 2>/dev/null || status=$?
echo "tandem-sshd ended (status $status)" >&2
exit "$status"
