#!/usr/bin/env bash
# Installs playwright-core (pinned), the Node library that drives the machine's Chromium
# for tests/browser.rs, into a git-ignored folder (default:
# <workspace>/target/browser-oracles/node; use NODE_PATH=<dest>/node/node_modules).
# Playwright's own browser downloads are never used: the test launches Debian's
# /usr/bin/chromium.
# Idempotent: a stamp file records what was installed, so a second run does nothing.
# Parallel callers serialise on a lock file. Quiet on success; on failure it prints
# npm's output and exits non-zero.
#
# Usage: install.sh [DEST]   (or BROWSER_ORACLES_DIR=DEST install.sh)
set -euo pipefail

PLAYWRIGHT_CORE_VERSION=1.65.1

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="${1:-${BROWSER_ORACLES_DIR:-$here/../../../../target/browser-oracles}}"
mkdir -p "$dest"
dest="$(cd "$dest" && pwd)"

die() { echo "browser install.sh: $*" >&2; exit 1; }
command -v npm >/dev/null || die "npm not found (needed for playwright-core); install Node.js and npm"
command -v node >/dev/null || die "node not found (needed for playwright-core); install Node.js"

# One installer at a time. flock is released by the kernel if we die.
exec 9>"$dest/.install.lock"
if command -v flock >/dev/null; then
    flock 9
else
    until mkdir "$dest/.install.lock.d" 2>/dev/null; do sleep 1; done
    trap 'rmdir "$dest/.install.lock.d"' EXIT
fi

log="$dest/install.log"
stamp="$dest/node/.installed"
want="playwright-core@$PLAYWRIGHT_CORE_VERSION node=$(node --version)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then exit 0; fi

# Installs into a fresh temporary folder, then swaps it in, so that an interrupted
# install never leaves a half-filled folder that looks complete.
tmp="$dest/node.tmp"
rm -rf "$tmp"
mkdir -p "$tmp"
echo '{"name":"browser-oracles","private":true}' >"$tmp/package.json"
# PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: playwright-core downloads nothing, but say so anyway.
if ! PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix "$tmp" --no-audit --no-fund \
    --loglevel=error --save-exact "playwright-core@$PLAYWRIGHT_CORE_VERSION" >"$log" 2>&1; then
    cat "$log" >&2
    die "npm could not install playwright-core@$PLAYWRIGHT_CORE_VERSION into $tmp (output above)"
fi
echo "$want" >"$tmp/.installed"
rm -rf "$dest/node"
mv "$tmp" "$dest/node"
rm -f "$log"
