#!/usr/bin/env bash
# Installs every build, run and test dependency of tandem from Debian's packages.
# Idempotent: skips apt entirely when everything is already present.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config clang-format
  clang libclang-rt-14-dev  # the fuzz targets (TANDEM_FUZZ): clang-14 and its libFuzzer
  libssh-dev libsqlite3-dev libpq-dev libssl-dev
  postgresql  # the store tests run each test on PostgreSQL too, on a server they start
  libboost-program-options-dev libboost-system-dev libboost-dev
  libcpp-jwt-dev nlohmann-json3-dev libvterm-dev
  libgtest-dev libgmock-dev googletest
  openssh-server openssh-client
  python3 procps psmisc iproute2 coreutils util-linux vim-tiny tmux
  sqlite3 linux-perf asciinema
  chromium  # the browser tests drive Debian's headless Chromium (never a downloaded browser)
  # scripts/package.sh (CPack: dpkg-shlibdeps, rpmbuild) and the package checks
  dpkg-dev rpm lintian rpmlint systemd mmdebstrap
)
# The web viewer's build runs `npm ci`. Debian's npm only where there is none: a Node installed
# from elsewhere brings its own npm, and Debian's would conflict with it.
if ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Debian's postgresql package would create and start a system-wide cluster on port 5432; the
  # tests start their own servers, and tandem needs none on this machine.
  if [[ " ${missing[*]} " == *" postgresql "* ]]; then
    $SUDO mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false" | $SUDO tee /etc/postgresql-common/createcluster.d/tandem.conf >/dev/null
  fi
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
