# %postun: $1 is 0 on erase. RPM has no purge: the state in /var/lib/tandem and the keys in
# /etc/tandem are kept, as RPM packages do; docs/install.md says how to remove them.
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
