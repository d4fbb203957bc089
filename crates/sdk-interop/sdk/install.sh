#!/usr/bin/env bash
# Installs the official Aliyun OSS SDKs used as interoperability oracles, pinned, into a
# git-ignored folder (default: <workspace>/target/sdk-oracles):
#   python/   oss2 and its dependencies   (pip install --target; use PYTHONPATH=python)
#   node/     node_modules/ali-oss        (npm install --prefix; use NODE_PATH=node/node_modules)
# Idempotent: a stamp file records what was installed, so a second run does nothing.
# Parallel callers (several test processes) serialise on a lock file. Quiet on success;
# on failure it prints the installer's output and exits non-zero.
#
# Usage: install.sh [DEST]   (or SDK_ORACLES_DIR=DEST install.sh)
set -euo pipefail

OSS2_VERSION=2.19.1
ALI_OSS_VERSION=6.23.0

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="${1:-${SDK_ORACLES_DIR:-$here/../../../target/sdk-oracles}}"
mkdir -p "$dest"
dest="$(cd "$dest" && pwd)"
python="${PYTHON:-python3}"

die() { echo "sdk-interop install.sh: $*" >&2; exit 1; }
command -v "$python" >/dev/null || die "$python not found (needed for oss2); install Python 3 with pip"
"$python" -m pip --version >/dev/null 2>&1 || die "$python has no pip (on Debian: apt-get install python3-pip)"
command -v npm >/dev/null || die "npm not found (needed for ali-oss); install Node.js and npm"
command -v node >/dev/null || die "node not found (needed for ali-oss); install Node.js"

# One installer at a time. flock is released by the kernel if we die.
exec 9>"$dest/.install.lock"
if command -v flock >/dev/null; then
    flock 9
else
    until mkdir "$dest/.install.lock.d" 2>/dev/null; do sleep 1; done
    trap 'rmdir "$dest/.install.lock.d"' EXIT
fi

log="$dest/install.log"

# Installs into a fresh temporary folder, then swaps it in, so that an interrupted
# install never leaves a half-filled folder that looks complete.
install_python() {
    local stamp="$dest/python/.installed" want="oss2==$OSS2_VERSION python=$("$python" -c 'import sys; print(sys.version.split()[0])')"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then return 0; fi
    local tmp="$dest/python.tmp"
    rm -rf "$tmp"
    # --target writes only into our folder, so a distribution's "externally managed"
    # guard (PEP 668, Debian's python3) does not apply to it.
    if ! PIP_BREAK_SYSTEM_PACKAGES=1 "$python" -m pip install --quiet --disable-pip-version-check --no-input \
        --target "$tmp" "oss2==$OSS2_VERSION" >"$log" 2>&1; then
        cat "$log" >&2
        die "pip could not install oss2==$OSS2_VERSION into $tmp (output above)"
    fi
    echo "$want" >"$tmp/.installed"
    rm -rf "$dest/python"
    mv "$tmp" "$dest/python"
}

install_node() {
    local stamp="$dest/node/.installed" want="ali-oss@$ALI_OSS_VERSION node=$(node --version)"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then return 0; fi
    local tmp="$dest/node.tmp"
    rm -rf "$tmp"
    mkdir -p "$tmp"
    echo '{"name":"sdk-oracles","private":true}' >"$tmp/package.json"
    if ! npm install --prefix "$tmp" --no-audit --no-fund --loglevel=error --save-exact \
        "ali-oss@$ALI_OSS_VERSION" >"$log" 2>&1; then
        cat "$log" >&2
        die "npm could not install ali-oss@$ALI_OSS_VERSION into $tmp (output above)"
    fi
    echo "$want" >"$tmp/.installed"
    rm -rf "$dest/node"
    mv "$tmp" "$dest/node"
}

install_python
install_node
rm -f "$log"
