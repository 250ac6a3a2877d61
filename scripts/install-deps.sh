#!/usr/bin/env bash
# install-deps.sh — install the Debian packages the test suite needs:
# MariaDB and Redis (servers and clients) and Chromium with its driver.
#
#   scripts/install-deps.sh [EXTRA_PACKAGE ...]
#
# Idempotent: when every package is already installed it does nothing and
# touches no network. Otherwise it waits for any other apt/dpkg run to finish,
# runs `apt-get update` once and installs only what is missing, without
# starting the distribution's own services (our tests start their own servers
# on their own ports, see scripts/services.sh).
#
# Environment:
#   APT_LOCK_WAIT   seconds to wait for another apt/dpkg to finish (default 900)
#   INSTALL_DEPS_SKIP=1   do nothing (for machines managed some other way)
set -euo pipefail

PACKAGES=(mariadb-server mariadb-client redis-server redis-tools chromium chromium-driver fonts-noto-cjk fonts-noto-color-emoji "$@")
LOCK_WAIT="${APT_LOCK_WAIT:-900}"

log() { printf 'install-deps: %s\n' "$*" >&2; }

if [[ "${INSTALL_DEPS_SKIP:-}" == 1 ]]; then
	log "INSTALL_DEPS_SKIP=1: skipped"
	exit 0
fi

installed() {
	[[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == installed ]]
}

missing=()
for p in "${PACKAGES[@]}"; do
	installed "$p" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
	log "all present: ${PACKAGES[*]}"
	exit 0
fi
log "missing: ${missing[*]}"

if [[ "$(id -u)" != 0 ]]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=(sudo -n)
	else
		log "not root and no sudo: install these by hand: apt-get install ${missing[*]}"
		exit 1
	fi
else
	SUDO=()
fi

# Another apt or dpkg (an image's first-boot install, unattended-upgrades, a
# developer in another shell) holds the locks: wait for it instead of failing.
apt_busy() {
	pgrep -x 'apt|apt-get|aptitude|dpkg|unattended-upgr' >/dev/null 2>&1 && return 0
	if command -v lslocks >/dev/null 2>&1; then
		lslocks -n -o PATH 2>/dev/null | grep -Eq '^/var/lib/(dpkg/lock|dpkg/lock-frontend|apt/lists/lock)$|^/var/cache/apt/archives/lock$' && return 0
	fi
	return 1
}
wait_for_apt() {
	local waited=0
	while apt_busy; do
		if ((waited == 0)); then log "another apt/dpkg is running; waiting (up to ${LOCK_WAIT}s)"; fi
		if ((waited >= LOCK_WAIT)); then
			log "gave up waiting for the apt/dpkg lock after ${LOCK_WAIT}s"
			exit 1
		fi
		sleep 2
		waited=$((waited + 2))
	done
	if ((waited > 0)); then log "apt/dpkg free after ${waited}s"; fi
}

# A package that an earlier, interrupted run left half-configured blocks apt.
export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-o "DPkg::Lock::Timeout=${LOCK_WAIT}" -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)

wait_for_apt
# Someone else may have installed them while we waited.
still=()
for p in "${missing[@]}"; do
	installed "$p" || still+=("$p")
done
if ((${#still[@]} == 0)); then
	log "installed meanwhile by another apt run; nothing to do"
	exit 0
fi
missing=("${still[@]}")

# Keep maintainer scripts from starting the distro's mariadb/redis services
# (no systemd here anyway; this also spares memory and ports 3306/6379).
POLICY=/usr/sbin/policy-rc.d
created_policy=0
if [[ ! -e "$POLICY" ]]; then
	printf '#!/bin/sh\n# written by jiuyebang scripts/install-deps.sh; removed when it ends\nexit 101\n' | "${SUDO[@]}" tee "$POLICY" >/dev/null
	"${SUDO[@]}" chmod 755 "$POLICY"
	created_policy=1
fi
cleanup() { if ((created_policy)); then "${SUDO[@]}" rm -f "$POLICY"; fi; }
trap cleanup EXIT

"${SUDO[@]}" dpkg --configure -a >/dev/null 2>&1 || true

start=$SECONDS
for attempt in 1 2 3; do
	log "apt-get update (attempt $attempt)"
	if "${SUDO[@]}" apt-get "${APT_OPTS[@]}" -qq update; then break; fi
	if ((attempt == 3)); then log "apt-get update failed"; exit 1; fi
	sleep 5
	wait_for_apt
done
for attempt in 1 2 3; do
	log "apt-get install ${missing[*]} (attempt $attempt)"
	if "${SUDO[@]}" apt-get "${APT_OPTS[@]}" -y -qq --no-install-recommends install "${missing[@]}" </dev/null; then break; fi
	if ((attempt == 3)); then log "apt-get install failed"; exit 1; fi
	sleep 5
	wait_for_apt
done

failed=()
for p in "${missing[@]}"; do
	installed "$p" || failed+=("$p")
done
if ((${#failed[@]})); then
	log "still not installed: ${failed[*]}"
	exit 1
fi
log "installed ${missing[*]} in $((SECONDS - start))s"
