#!/usr/bin/env bash
# ./setup.sh: get a fresh Debian 12 machine ready and build firn into ./build.
#
#   1. .ci/install-deps: the apt packages in .ci/apt-packages (the same list
#      CI uses) and deb-src for Nix's tests; uses sudo when not root
#   2. meson setup build (buildtype debugoptimized) and meson compile
#
# Afterwards: examples/server/check-vm (the README's main job)
# Safe to run again; it only does what is missing.
set -euo pipefail

root=$(cd "$(dirname "$0")" && pwd)
cd "$root"

bash "$root/.ci/install-deps"

if [ ! -d build/meson-private ]; then
    meson setup build
fi
meson compile -C build
echo "setup.sh: built $root/build/src/cli/firn"
