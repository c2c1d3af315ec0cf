#!/usr/bin/env bash
# Installs what rnx needs on a fresh Debian host (as root), then the npm packages:
#   the Debian packages below (Node.js and npm among them), only those missing, and `npm ci`
#   (which also builds dist/).
#   ./scripts/setup.sh            # host packages + npm ci
#   ./scripts/setup.sh --host     # host packages only
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v npm >/dev/null 2>&1 || need+=(nodejs npm) # runs npm ci below; npm ci brings the Node 24 rnx runs on
command -v nft >/dev/null 2>&1 || need+=(nftables)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v unshare >/dev/null 2>&1 || need+=(util-linux)
{ command -v cc && [ -e /usr/include/linux/mount.h ]; } >/dev/null 2>&1 || need+=(gcc libc6-dev) # npm run build compiles rnx-sandbox, which sets up every job
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap) # sets jobs up where rnx-sandbox cannot (and RNX_SANDBOX=bwrap)
command -v strace >/dev/null 2>&1 || need+=(strace) # the tests count the processes a job start spawns
command -v ping >/dev/null 2>&1 || need+=(iputils-ping) # the tests ping from inside a contained job
command -v ps >/dev/null 2>&1 || need+=(procps) # the tests and the guide's examples run ps in a job
command -v python3 >/dev/null 2>&1 || need+=(python3) # the example workflows and the tests use it
command -v busybox >/dev/null 2>&1 || need+=(busybox-static) # the runtime tests build a tiny root
command -v script >/dev/null 2>&1 || need+=(bsdutils) # the tests give rnx a pseudo-terminal (-i)
# workflows/postgres.yaml and its test run Debian's PostgreSQL server (any version) as a job.
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || need+=(postgresql)
command -v psql >/dev/null 2>&1 || need+=(postgresql-client)
[ -x /usr/bin/time ] || need+=(time) # npm run bench -- validate-limits reads peak memory with GNU time
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

[ "${1:-}" = "--host" ] || npm ci --no-audit --no-fund
