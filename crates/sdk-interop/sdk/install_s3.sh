#!/usr/bin/env bash
# Installs the official AWS S3 SDKs used as interoperability oracles of serve-s3, pinned,
# into a git-ignored folder (default: <workspace>/target/sdk-oracles):
#   s3-python/  boto3 and its dependencies   (pip install --target; use PYTHONPATH=s3-python)
#   s3-node/    node_modules/@aws-sdk/{client-s3,s3-request-presigner,lib-storage}
#               (npm install --prefix; use NODE_PATH=s3-node/node_modules)
# Idempotent (a stamp file records what was installed) and locked against parallel
# callers, like install.sh, whose OSS SDKs it leaves alone. Quiet on success; on
# failure it prints the installer's output and exits non-zero.
#
# Usage: install_s3.sh [DEST]   (or SDK_ORACLES_DIR=DEST install_s3.sh)
set -euo pipefail

BOTO3_VERSION=1.44.8
CLIENT_S3_VERSION=3.1175.0
PRESIGNER_VERSION=3.1169.0
LIB_STORAGE_VERSION=3.1175.0

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="${1:-${SDK_ORACLES_DIR:-$here/../../../target/sdk-oracles}}"
mkdir -p "$dest"
dest="$(cd "$dest" && pwd)"
python="${PYTHON:-python3}"

die() { echo "sdk-interop install_s3.sh: $*" >&2; exit 1; }
command -v "$python" >/dev/null || die "$python not found (needed for boto3); install Python 3 with pip"
"$python" -m pip --version >/dev/null 2>&1 || die "$python has no pip (on Debian: apt-get install python3-pip)"
command -v npm >/dev/null || die "npm not found (needed for @aws-sdk/client-s3); install Node.js and npm"
command -v node >/dev/null || die "node not found (needed for @aws-sdk/client-s3); install Node.js"

exec 9>"$dest/.install-s3.lock"
if command -v flock >/dev/null; then
    flock 9
else
    until mkdir "$dest/.install-s3.lock.d" 2>/dev/null; do sleep 1; done
    trap 'rmdir "$dest/.install-s3.lock.d"' EXIT
fi

log="$dest/install-s3.log"

# Into a fresh temporary folder, then swapped in: an interrupted install never leaves a
# half-filled folder that looks complete.
install_python() {
    local stamp="$dest/s3-python/.installed" want="boto3==$BOTO3_VERSION python=$("$python" -c 'import sys; print(sys.version.split()[0])')"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then return 0; fi
    local tmp="$dest/s3-python.tmp"
    rm -rf "$tmp"
    if ! PIP_BREAK_SYSTEM_PACKAGES=1 "$python" -m pip install --quiet --disable-pip-version-check --no-input \
        --target "$tmp" "boto3==$BOTO3_VERSION" >"$log" 2>&1; then
        cat "$log" >&2
        die "pip could not install boto3==$BOTO3_VERSION into $tmp (output above)"
    fi
    echo "$want" >"$tmp/.installed"
    rm -rf "$dest/s3-python"
    mv "$tmp" "$dest/s3-python"
}

install_node() {
    local pkgs="@aws-sdk/client-s3@$CLIENT_S3_VERSION @aws-sdk/s3-request-presigner@$PRESIGNER_VERSION @aws-sdk/lib-storage@$LIB_STORAGE_VERSION"
    local stamp="$dest/s3-node/.installed" want="$pkgs node=$(node --version)"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then return 0; fi
    local tmp="$dest/s3-node.tmp"
    rm -rf "$tmp"
    mkdir -p "$tmp"
    echo '{"name":"sdk-oracles-s3","private":true}' >"$tmp/package.json"
    # shellcheck disable=SC2086
    if ! npm install --prefix "$tmp" --no-audit --no-fund --loglevel=error --save-exact \
        $pkgs >"$log" 2>&1; then
        cat "$log" >&2
        die "npm could not install $pkgs into $tmp (output above)"
    fi
    echo "$want" >"$tmp/.installed"
    rm -rf "$dest/s3-node"
    mv "$tmp" "$dest/s3-node"
}

install_python
install_node
rm -f "$log"
