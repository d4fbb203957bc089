#!/usr/bin/env bash
# Installs moto's S3 server (moto[server] and awscrt, pinned), a server we did not write, into a
# git-ignored folder (default: <workspace>/target/moto): `pip install --target`, used
# with PYTHONPATH=<dest>/moto-python and `python3 -m moto.server`. Idempotent (a stamp
# records what was installed) and locked against parallel callers; into a temporary
# folder that is swapped in, so an interrupted install never looks complete. Quiet on
# success; on failure it prints pip's output and exits non-zero. Exit 3: no pip here.
#
# Usage: install_moto.sh [DEST]   (or MOTO_DIR=DEST install_moto.sh)
set -euo pipefail

MOTO_VERSION=5.2.5
# moto computes CRC-64/NVME (multipart full-object checksums) with awscrt; without it
# it falls back to CRC-32 under the CRC64NVME name.
AWSCRT_VERSION=0.38.0

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="${1:-${MOTO_DIR:-$here/../../../../target/moto}}"
mkdir -p "$dest"
dest="$(cd "$dest" && pwd)"
python="${PYTHON:-python3}"

command -v "$python" >/dev/null || { echo "install_moto.sh: $python not found" >&2; exit 3; }
"$python" -m pip --version >/dev/null 2>&1 || { echo "install_moto.sh: $python has no pip" >&2; exit 3; }

exec 9>"$dest/.install.lock"
if command -v flock >/dev/null; then
    flock 9
else
    until mkdir "$dest/.install.lock.d" 2>/dev/null; do sleep 1; done
    trap 'rmdir "$dest/.install.lock.d"' EXIT
fi

want="moto[server]==$MOTO_VERSION awscrt==$AWSCRT_VERSION python=$("$python" -c 'import sys; print(sys.version.split()[0])')"
stamp="$dest/moto-python/.installed"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then exit 0; fi
tmp="$dest/moto-python.tmp"
log="$dest/install.log"
rm -rf "$tmp"
if ! PIP_BREAK_SYSTEM_PACKAGES=1 "$python" -m pip install --quiet --disable-pip-version-check --no-input \
    --target "$tmp" "moto[server]==$MOTO_VERSION" "awscrt==$AWSCRT_VERSION" >"$log" 2>&1; then
    cat "$log" >&2
    echo "install_moto.sh: pip could not install moto[server]==$MOTO_VERSION into $tmp (output above)" >&2
    exit 1
fi
echo "$want" >"$tmp/.installed"
rm -rf "$dest/moto-python"
mv "$tmp" "$dest/moto-python"
rm -f "$log"
