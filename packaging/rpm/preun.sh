# %preun: $1 is 0 when the package is being erased (not upgraded).
if [ "$1" = 0 ]; then
    /usr/libexec/tandem/package-setup stop
fi
