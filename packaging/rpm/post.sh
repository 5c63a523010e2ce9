# %post: $1 is 1 on first install, 2 or more on upgrade.
if [ "$1" = 1 ]; then first=1; else first=0; fi
/usr/libexec/tandem/package-setup configure "$first"
