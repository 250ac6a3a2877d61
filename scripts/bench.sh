#!/usr/bin/env bash
# bench.sh BIN — the benchmarks, each printed beside the machine's own
# ceiling measured in the same run. Figures, not pass/fail: these machines
# are shared and noisy.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$(realpath "$1")"
cd "$REPO"
bash scripts/install-deps.sh >/dev/null
bash scripts/services.sh start >/dev/null
trap 'bash scripts/services.sh stop >/dev/null 2>&1 || true' EXIT
eval "$(bash scripts/services.sh env)"

echo "== machine"
echo "cpus: $(nproc)  memory: $(free -h | awk '/Mem:/ {print $2}')  go: $(go version | awk '{print $3}')"

echo "== binary"
echo "size: $(du -h "$BIN" | cut -f1) ($(stat -c %s "$BIN") bytes, H5 app embedded)"

echo "== embedded default: cold start (first run: migrate, seed 19,224 Gansu + 3,351 national regions, demo data) and warm start"
for run in cold warm; do
	[ "$run" = cold ] && { rm -rf .tmp/bench-data; mkdir -p .tmp/bench-data; }
	port=$((18300 + RANDOM % 500))
	start=$(date +%s%N)
	DATA_DIR=.tmp/bench-data HTTP_ADDR=127.0.0.1:$port LOG_LEVEL=error "$BIN" serve >/dev/null 2>&1 &
	pid=$!
	until curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.02; done
	echo "$run start to ready: $(( ($(date +%s%N) - start) / 1000000 )) ms"
	kill "$pid"; wait "$pid" 2>/dev/null || true
done

echo "== redis ceiling (redis-benchmark on the test Redis, 50 clients)"
redis-benchmark -h 127.0.0.1 -p "${REDIS_PORT:-6380}" -q -n 100000 -t set,get,lpush 2>/dev/null | tr '\r' '\n' | grep 'requests per second' | sed 's/^/  /'

echo "== status updates against MariaDB + Redis (with bare gin and bare INSERT ceilings)"
BENCH_SERVER_PIDS="$(cat "${SERVICES_DIR:-.tmp/services}"/{mariadb/mariadb,redis/redis}.pid 2>/dev/null | tr '\n' ' ')" BENCH_SECONDS="${BENCH_SECONDS:-10}" go test ./api/ -run '^$' -bench 'BenchmarkStatusUpdates' -benchtime=1x -count=1

echo "== region look-ups"
go test ./service/region/ -run '^$' -bench . -benchmem -count=1 | grep -E '^Benchmark'

echo "== registry import (issue 3): rows/s and peak memory beside MariaDB's LOAD DATA on the same rows"
echo "   IMPORT_BENCH_ROWS=${IMPORT_BENCH_ROWS:=200000} (1750000 is Gansu's total in seed 000; about 5 minutes at this speed)"
IMPORT_BENCH_ROWS=$IMPORT_BENCH_ROWS go test ./service/importer/ -run '^$' -bench Import -benchtime=1x -count=1 -timeout 60m | grep -v '^\(goos\|goarch\|pkg\|cpu\|PASS\|ok\)'

echo "== six lists (issue 3): one county from individual records"
go test ./service/lists/ -run '^$' -bench . -benchtime=1x -count=1 | grep -v '^\(goos\|goarch\|pkg\|cpu\|PASS\|ok\)'

echo "== return reported -> push handed to the channel (issue 4): p50/p99/max at 100 returns/s (aim p99 <= 2 s)"
BENCH_SECONDS="${BENCH_SECONDS:-10}" go test ./service/returncase/ -run '^$' -bench 'BenchmarkReturnToPush' -benchtime=1x -count=1 | grep -v '^\(goos\|goarch\|pkg\|cpu\|PASS\|ok\)'

echo "== queue throughput (issue 4): outbox Relay + Worker and plain asynq, beside redis-benchmark on the same Redis"
go test ./service/outbox/ -run '^$' -bench 'BenchmarkQueueThroughput' -benchtime=1x -count=1 | grep -v '^\(goos\|goarch\|pkg\|cpu\|PASS\|ok\)'
