#!/usr/bin/env bash
# e2e.sh BIN ARTIFACT_DIR — start a real `serve` on the test MariaDB and
# Redis (scripts/services.sh must be running), with dev login and demo data,
# then click through the H5 app in headless Chromium (miniprogram/e2e/*.mjs, on lib.mjs).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$(realpath "$1")"
ART="$(mkdir -p "$2" && realpath "$2")"
cd "$REPO"
eval "$(bash scripts/services.sh env)"
PORT="${E2E_PORT:-18181}"
mysql_base="${TEST_MYSQL_DSN%/*}"
maria() { mariadb -h127.0.0.1 -P"${MARIADB_PORT:-3307}" -ujyb -pjyb -e "$1"; }

# Each run gets a database and data dir of its own; stop_all drops them.
PIDS=() DBS=() DIRS=()
stop_all() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
	for d in "${DBS[@]}"; do maria "DROP DATABASE IF EXISTS $d" || true; done
	for d in "${DIRS[@]}"; do rm -rf "$d"; done
}
trap stop_all EXIT

# prepare NAME REDIS_DB: a fresh database and data dir, exported for the `serve` that follows.
prepare() {
	local db="jyb_e2e_${1}_$$" dir
	dir="$(mktemp -d)"
	maria "CREATE DATABASE $db CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
	DBS+=("$db") DIRS+=("$dir")
	export APP_ENV=development DATA_DIR="$dir" DATABASE_URL="$mysql_base/$db" REDIS_URL="${TEST_REDIS_URL%/*}/$2" \
		DEV_LOGIN=true DEV_CLOCK=true SEED_DEMO=true IN_PROCESS_WORKER=true LOG_LEVEL=warn
}

# serve PORT LOG: start `serve` and wait until it is ready.
serve() {
	HTTP_ADDR="127.0.0.1:$1" "$BIN" serve > "$2" 2>&1 &
	local pid=$!
	PIDS+=("$pid")
	for _ in $(seq 1 150); do
		curl -fsS "http://127.0.0.1:$1/readyz" >/dev/null 2>&1 && return 0
		kill -0 "$pid" 2>/dev/null || { cat "$2"; exit 1; }
		sleep 0.2
	done
	cat "$2"
	exit 1
}

prepare demo 14
"$BIN" migrate
serve "$PORT" "$ART/serve.log"
# Issue 2: a worker reports 失业返乡 in two taps.
BASE_URL="http://127.0.0.1:$PORT" ARTIFACT_DIR="$ART" node miniprogram/e2e/worker-return.mjs
# Issue 3: a cadre's offline draft survives a reload, is submitted, and the task force confirms it.
BASE_URL="http://127.0.0.1:$PORT" ARTIFACT_DIR="$ART/cadre-verify" node miniprogram/e2e/cadre-verify.mjs
# Issue 5: a worker's transport claim is approved at once under 免审即享, goes through 公示 (the
# development clock skips the notice period), a maker–checker batch and the bank file, and shows
# 已发放 on the phone.
BASE_URL="http://127.0.0.1:$PORT" ARTIFACT_DIR="$ART/worker-claim" node miniprogram/e2e/worker-claim.mjs
# Issue 4: the returnee's matching job is in their feed and inbox with reasons; they apply, the
# employer confirms the hire, the case closes as placed and the worker's status shows the job.
BASE_URL="http://127.0.0.1:$PORT" ARTIFACT_DIR="$ART/worker-job" node miniprogram/e2e/worker-job.mjs
# Issue 6: the dashboard, on a population worth looking at — a database of its own with 5,000
# synthetic labourers (seed 000's county proportions, so the demo official's 临夏州 and the demo
# task force's 东乡族自治县 have people), its report rows built, demo accounts seeded by `serve`,
# on a second port. Screenshots (desktop and phone) land in $ART/dashboard.
DPORT="${E2E_DASH_PORT:-$((PORT + 1))}"
mkdir -p "$ART/dashboard"
prepare dash 13
"$BIN" migrate > "$ART/dashboard/seed.log" 2>&1
"$BIN" seed synthetic --labourers "${E2E_DASH_LABOURERS:-5000}" --seed 1 --build-reports >> "$ART/dashboard/seed.log" 2>&1
serve "$DPORT" "$ART/dashboard/serve.log"
BASE_URL="http://127.0.0.1:$DPORT" ARTIFACT_DIR="$ART/dashboard" node miniprogram/e2e/dashboard.mjs
