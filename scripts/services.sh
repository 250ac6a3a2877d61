#!/usr/bin/env bash
# services.sh — throwaway MariaDB and Redis on loopback for the test suite.
#
#   scripts/services.sh start            MariaDB on 127.0.0.1:3307, Redis on 127.0.0.1:6380
#   scripts/services.sh stop             stop both (and the cluster, if running)
#   scripts/services.sh status           what runs; exit 0 only if MariaDB and Redis both answer
#   scripts/services.sh env              export lines for TEST_MYSQL_DSN, TEST_REDIS_URL (and
#                                        TEST_REDIS_CLUSTER_URL while the cluster runs)
#   scripts/services.sh run CMD [ARG..]  start, run CMD with the env exported, then stop
#                                        whatever this call started; exits with CMD's status
#   scripts/services.sh start-cluster    3-node Redis Cluster on 127.0.0.1:7001-7003 (no replicas)
#   scripts/services.sh stop-cluster
#   scripts/services.sh clean            stop everything and delete the state dir
#
# The servers belong to the test run: their data, sockets, pid files and logs
# live in one state dir, they listen on 127.0.0.1 only, on ports of their own
# (not the distribution's 3306/6379), and run without systemd, as root or not.
# `start` is idempotent: a running server is left alone, a stale pid file is
# ignored, an interrupted first initialisation is redone.
#
# The state dir's lock (fd 9) is closed in every server started here, or the
# daemons would hold it forever.
#
# Environment (all optional):
#   SERVICES_DIR          state dir (default: <repo>/.tmp/services)
#   MARIADB_PORT          default 3307
#   REDIS_PORT            default 6380
#   REDIS_CLUSTER_PORTS   default "7001 7002 7003"
#   MARIADB_EXTRA_ARGS    extra mariadbd options, word-split (e.g. "--innodb-file-per-table=0")
#   START_TIMEOUT         seconds to wait for a server to answer (default 90)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${SERVICES_DIR:-$REPO/.tmp/services}"
case "$DIR" in /*) ;; *) DIR="$PWD/$DIR" ;; esac
MARIADB_PORT="${MARIADB_PORT:-3307}"
REDIS_PORT="${REDIS_PORT:-6380}"
REDIS_CLUSTER_PORTS="${REDIS_CLUSTER_PORTS:-7001 7002 7003}"
START_TIMEOUT="${START_TIMEOUT:-90}"

DB_NAME=jiuyebang_test
DB_USER=jyb
DB_PASS=jyb

MDIR="$DIR/mariadb"
MDATA="$MDIR/data"
RDIR="$DIR/redis"
CDIR="$DIR/cluster"

# mariadbd lives in /usr/sbin, which a non-root PATH may lack.
PATH="$PATH:/usr/sbin:/sbin"

log() { printf 'services: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

now_ms() { date +%s%3N; }
since() { local d=$(($(now_ms) - $1)); printf '%d.%01ds' $((d / 1000)) $((d % 1000 / 100)); }

need() {
	local missing=()
	for b in "$@"; do command -v "$b" >/dev/null 2>&1 || missing+=("$b"); done
	((${#missing[@]} == 0)) || die "not found: ${missing[*]} — run scripts/install-deps.sh first"
}

# A unix socket path must stay under ~107 bytes; a deep checkout falls back to /tmp.
mariadb_socket() {
	local s="$MDIR/mariadb.sock"
	if ((${#s} > 100)); then
		s="${TMPDIR:-/tmp}/jyb-mariadb-$(printf '%s' "$DIR" | md5sum | cut -c1-12).sock"
	fi
	printf '%s' "$s"
}

# owned PID DIR: PID is alive and is a server of ours (both mariadbd and
# redis-server chdir into their data dir, so the cwd identifies them).
owned() {
	local pid="$1" want="$2"
	[[ "$pid" =~ ^[0-9]+$ ]] || return 1
	alive "$pid" || return 1
	[[ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" == "$want" ]]
}

# find_pid PIDFILE DIR PROCNAME: the pid of our server, from its pid file or,
# when that is missing or stale, by looking for a process of that name whose
# cwd is DIR.
find_pid() {
	local pidfile="$1" dir="$2" name="$3" pid
	if [[ -f "$pidfile" ]]; then
		pid="$(tr -dc '0-9' <"$pidfile" 2>/dev/null || true)"
		if owned "$pid" "$dir"; then
			printf '%s' "$pid"
			return 0
		fi
	fi
	for pid in $(pgrep -x "$name" 2>/dev/null || true); do
		if owned "$pid" "$dir"; then
			printf '%s' "$pid"
			return 0
		fi
	done
	return 1
}

# alive PID: running and not a zombie (a daemon's parent is init, which may be
# slow to reap it, and kill -0 succeeds on a zombie).
alive() {
	local stat
	kill -0 "$1" 2>/dev/null || return 1
	stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
	stat="${stat##*) }"
	[[ "${stat:0:1}" != Z ]]
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# stop_pid NAME PID TIMEOUT: SIGTERM (clean shutdown: InnoDB flush, AOF fsync),
# then SIGKILL if it has not gone after TIMEOUT seconds.
stop_pid() {
	local name="$1" pid="$2" timeout="$3" t0
	t0=$(now_ms)
	kill -TERM "$pid" 2>/dev/null || true
	local i=0
	while alive "$pid"; do
		if ((i >= timeout * 10)); then
			log "$name (pid $pid) did not stop in ${timeout}s; killing"
			kill -KILL "$pid" 2>/dev/null || true
			sleep 0.2
			break
		fi
		sleep 0.1
		i=$((i + 1))
	done
	log "$name: stopped (pid $pid) in $(since "$t0")"
}

# ---------------------------------------------------------------- MariaDB

mariadb_pid() { find_pid "$MDIR/mariadb.pid" "$MDATA" mariadbd; }

mariadb_root() {
	mariadb --no-defaults --protocol=socket --socket="$(mariadb_socket)" -uroot --connect-timeout=5 "$@"
}

mariadb_ping() {
	mariadb-admin --no-defaults --protocol=socket --socket="$(mariadb_socket)" -uroot --connect-timeout=2 ping >/dev/null 2>&1
}

mariadb_user_opt() {
	if [[ "$(id -u)" == 0 ]]; then printf -- '--user=root'; else printf -- '--user=%s' "$(id -un)"; fi
}

mariadb_init() {
	[[ -f "$MDIR/.initialized" ]] && return 0
	local t0
	t0=$(now_ms)
	rm -rf "$MDATA"
	mkdir -p "$MDATA" "$MDIR/tmp"
	if ! mariadb-install-db --no-defaults --datadir="$MDATA" "$(mariadb_user_opt)" \
		--auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
		>"$MDIR/install.log" 2>&1; then
		tail -n 30 "$MDIR/install.log" >&2
		die "mariadb-install-db failed (log: $MDIR/install.log)"
	fi
	touch "$MDIR/.initialized"
	log "mariadb: initialised $MDATA in $(since "$t0")"
}

# Idempotent: the test database and a user that may create and drop the
# per-test schemas (testenv makes one schema per test).
mariadb_bootstrap() {
	mariadb_root --batch <<SQL
DELETE FROM mysql.global_priv WHERE User = '';
FLUSH PRIVILEGES;
CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$DB_USER'@'%' IDENTIFIED BY '$DB_PASS';
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASS';
GRANT ALL PRIVILEGES ON *.* TO '$DB_USER'@'%' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO '$DB_USER'@'localhost' WITH GRANT OPTION;
SQL
}

mariadb_start() {
	need mariadbd mariadb-install-db mariadb mariadb-admin
	local pid t0 sock
	t0=$(now_ms)
	sock="$(mariadb_socket)"
	if pid=$(mariadb_pid); then
		# Running, or still starting from an earlier call: wait for it.
		mariadb_wait "$pid" "$t0" >/dev/null
		mariadb_bootstrap
		log "mariadb: already running (pid $pid) on 127.0.0.1:$MARIADB_PORT"
		return 0
	fi
	rm -f "$MDIR/mariadb.pid"
	if port_open "$MARIADB_PORT"; then
		die "mariadb: 127.0.0.1:$MARIADB_PORT is taken by another process; set MARIADB_PORT"
	fi
	mkdir -p "$MDIR/tmp"
	mariadb_init
	rm -f "$sock"
	local extra=()
	# shellcheck disable=SC2206 # word-splitting is the point
	[[ -n "${MARIADB_EXTRA_ARGS:-}" ]] && extra=($MARIADB_EXTRA_ARGS)
	setsid mariadbd --no-defaults \
		--datadir="$MDATA" --tmpdir="$MDIR/tmp" \
		--socket="$sock" --port="$MARIADB_PORT" --bind-address=127.0.0.1 \
		--pid-file="$MDIR/mariadb.pid" --log-error="$MDIR/error.log" \
		"$(mariadb_user_opt)" --skip-name-resolve \
		--character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
		--default-time-zone=+00:00 \
		--max-connections=500 --max-allowed-packet=64M \
		--innodb-buffer-pool-size=256M --innodb-log-file-size=128M \
		--innodb-flush-log-at-trx-commit=2 --innodb-doublewrite=0 \
		--innodb-buffer-pool-dump-at-shutdown=0 --innodb-buffer-pool-load-at-startup=0 \
		--performance-schema=OFF --skip-log-bin \
		"${extra[@]}" \
		</dev/null >>"$MDIR/error.log" 2>&1 9>&- &
	pid=$!
	mariadb_wait "$pid" "$t0"
	mariadb_bootstrap
	log "mariadb: started (pid $(mariadb_pid || echo "$pid")) on 127.0.0.1:$MARIADB_PORT in $(since "$t0")"
}

mariadb_wait() {
	local pid="$1" t0="$2" i=0
	until mariadb_ping; do
		if ! alive "$pid"; then
			tail -n 30 "$MDIR/error.log" >&2 || true
			die "mariadb: exited while starting (log: $MDIR/error.log)"
		fi
		if ((i >= START_TIMEOUT * 10)); then
			tail -n 30 "$MDIR/error.log" >&2 || true
			die "mariadb: no answer after ${START_TIMEOUT}s (log: $MDIR/error.log)"
		fi
		sleep 0.1
		i=$((i + 1))
	done
}

mariadb_stop() {
	local pid
	if pid=$(mariadb_pid); then
		stop_pid mariadb "$pid" 60
	else
		log "mariadb: not running"
	fi
	rm -f "$MDIR/mariadb.pid"
}

# ---------------------------------------------------------------- Redis

redis_pid() { find_pid "$1/redis.pid" "$1" redis-server; }

redis_ping() { [[ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" == PONG ]]; }

# redis_launch DIR PORT [EXTRA ARGS]: the settings production asks for
# (SECURITY.md 16: AOF everysec, noeviction); RDB snapshots off.
redis_launch() {
	local dir="$1" port="$2"
	shift 2
	mkdir -p "$dir"
	rm -f "$dir/redis.pid"
	if port_open "$port"; then
		die "redis: 127.0.0.1:$port is taken by another process; set REDIS_PORT / REDIS_CLUSTER_PORTS"
	fi
	redis-server --bind 127.0.0.1 --port "$port" --protected-mode yes \
		--dir "$dir" --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" \
		--appendonly yes --appendfsync everysec --maxmemory-policy noeviction --save '' \
		"$@" </dev/null 9>&-
}

redis_wait() {
	local dir="$1" port="$2" i=0
	until redis_ping "$port"; do
		if ((i >= START_TIMEOUT * 10)); then
			tail -n 20 "$dir/redis.log" >&2 || true
			die "redis: no answer on 127.0.0.1:$port after ${START_TIMEOUT}s (log: $dir/redis.log)"
		fi
		if ((i > 20)) && ! redis_pid "$dir" >/dev/null; then
			tail -n 20 "$dir/redis.log" >&2 || true
			die "redis: exited while starting on 127.0.0.1:$port (log: $dir/redis.log)"
		fi
		sleep 0.1
		i=$((i + 1))
	done
}

redis_start() {
	need redis-server redis-cli
	local pid t0
	t0=$(now_ms)
	if pid=$(redis_pid "$RDIR"); then
		redis_wait "$RDIR" "$REDIS_PORT"
		log "redis: already running (pid $pid) on 127.0.0.1:$REDIS_PORT"
		return 0
	fi
	redis_launch "$RDIR" "$REDIS_PORT"
	redis_wait "$RDIR" "$REDIS_PORT"
	log "redis: started (pid $(redis_pid "$RDIR" || echo '?')) on 127.0.0.1:$REDIS_PORT in $(since "$t0")"
}

redis_stop_dir() {
	local name="$1" dir="$2" pid
	if pid=$(redis_pid "$dir"); then
		stop_pid "$name" "$pid" 30
	else
		log "$name: not running"
	fi
	rm -f "$dir/redis.pid"
}

# ---------------------------------------------------------------- Redis Cluster

cluster_ok() {
	local p
	for p in $REDIS_CLUSTER_PORTS; do
		redis-cli -h 127.0.0.1 -p "$p" cluster info 2>/dev/null | grep -q '^cluster_state:ok' || return 1
	done
}

cluster_running() {
	local p
	for p in $REDIS_CLUSTER_PORTS; do
		redis_pid "$CDIR/$p" >/dev/null || return 1
	done
}

cluster_url() {
	local p out=""
	for p in $REDIS_CLUSTER_PORTS; do out+="${out:+,}127.0.0.1:$p"; done
	printf 'redis-cluster://%s' "$out"
}

cluster_start() {
	need redis-server redis-cli
	local p t0 i
	t0=$(now_ms)
	for p in $REDIS_CLUSTER_PORTS; do
		if redis_pid "$CDIR/$p" >/dev/null; then continue; fi
		redis_launch "$CDIR/$p" "$p" --cluster-enabled yes --cluster-config-file nodes.conf \
			--cluster-node-timeout 5000
	done
	for p in $REDIS_CLUSTER_PORTS; do redis_wait "$CDIR/$p" "$p"; done
	# Nodes restarted from their nodes.conf find each other again by themselves.
	for ((i = 0; i < 50; i++)); do
		if cluster_ok; then
			log "redis-cluster: running on $(cluster_url) ($(since "$t0"))"
			return 0
		fi
		[[ -f "$CDIR/.created" ]] || break
		sleep 0.1
	done
	# Not formed (first start, or a half-made cluster): wipe the nodes and create it.
	local nodes=()
	for p in $REDIS_CLUSTER_PORTS; do
		redis-cli -h 127.0.0.1 -p "$p" flushall >/dev/null 2>&1 || true
		redis-cli -h 127.0.0.1 -p "$p" cluster reset hard >/dev/null
		nodes+=("127.0.0.1:$p")
	done
	rm -f "$CDIR/.created"
	if ! redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes \
		>"$CDIR/create.log" 2>&1 </dev/null; then
		cat "$CDIR/create.log" >&2
		die "redis-cluster: create failed"
	fi
	touch "$CDIR/.created"
	for ((i = 0; i < START_TIMEOUT * 10; i++)); do
		if cluster_ok; then
			log "redis-cluster: created on $(cluster_url) in $(since "$t0")"
			return 0
		fi
		sleep 0.1
	done
	die "redis-cluster: state not ok after ${START_TIMEOUT}s"
}

cluster_stop() {
	local p
	[[ -d "$CDIR" ]] || return 0
	for p in $REDIS_CLUSTER_PORTS; do
		if [[ -d "$CDIR/$p" ]]; then redis_stop_dir "redis-cluster:$p" "$CDIR/$p"; fi
	done
}

# ---------------------------------------------------------------- commands

print_env() {
	printf "export TEST_MYSQL_DSN='%s:%s@tcp(127.0.0.1:%s)/%s'\n" "$DB_USER" "$DB_PASS" "$MARIADB_PORT" "$DB_NAME"
	printf "export TEST_REDIS_URL='redis://127.0.0.1:%s/0'\n" "$REDIS_PORT"
	if cluster_running 2>/dev/null && cluster_ok; then
		printf "export TEST_REDIS_CLUSTER_URL='%s'\n" "$(cluster_url)"
	fi
}

status() {
	local rc=0 pid
	if pid=$(mariadb_pid) && mariadb_ping; then
		echo "mariadb: running (pid $pid) on 127.0.0.1:$MARIADB_PORT"
	else
		echo "mariadb: stopped"
		rc=1
	fi
	if pid=$(redis_pid "$RDIR") && redis_ping "$REDIS_PORT"; then
		echo "redis: running (pid $pid) on 127.0.0.1:$REDIS_PORT"
	else
		echo "redis: stopped"
		rc=1
	fi
	if cluster_running; then
		if cluster_ok; then echo "redis-cluster: running on $(cluster_url)"; else echo "redis-cluster: running, state not ok"; fi
	else
		echo "redis-cluster: stopped"
	fi
	echo "state dir: $DIR"
	return $rc
}

# lock_held_only_by_servers: every process holding the lock file open is a
# mariadbd or redis-server (one started by an older copy of this script that
# let it inherit the lock), not another services.sh.
lock_held_only_by_servers() {
	local lock="$DIR/.lock" fd pid comm found=0
	for fd in /proc/[0-9]*/fd/*; do
		[[ "$(readlink "$fd" 2>/dev/null)" == "$lock" ]] || continue
		pid="${fd#/proc/}"
		pid="${pid%%/*}"
		[[ "$pid" == "$$" || "$pid" == "$BASHPID" ]] && continue
		comm="$(cat "/proc/$pid/comm" 2>/dev/null || true)"
		case "$comm" in mariadbd | redis-server) found=1 ;; *) return 1 ;; esac
	done
	((found))
}

with_lock() {
	mkdir -p "$DIR"
	exec 9>"$DIR/.lock"
	local i
	for ((i = 0; i < 3000; i++)); do
		flock -n 9 && return 0
		if ((i == 10)) && lock_held_only_by_servers; then
			log "lock held only by servers that inherited it; going on"
			return 0
		fi
		sleep 0.1
	done
	die "another services.sh holds $DIR/.lock"
}

usage() {
	sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//' >&2
	exit 2
}

cmd="${1:-}"
[[ $# -gt 0 ]] && shift
case "$cmd" in
start)
	with_lock
	t0=$(now_ms)
	mariadb_start
	redis_start
	log "ready in $(since "$t0"); state in $DIR"
	;;
stop)
	with_lock
	t0=$(now_ms)
	cluster_stop
	redis_stop_dir redis "$RDIR"
	mariadb_stop
	log "stopped in $(since "$t0")"
	;;
start-cluster)
	with_lock
	cluster_start
	;;
stop-cluster)
	with_lock
	cluster_stop
	;;
status)
	status
	;;
env)
	print_env
	;;
run)
	[[ $# -gt 0 ]] || die "usage: services.sh run CMD [ARG...]"
	started_db=0 started_redis=0
	mariadb_pid >/dev/null || started_db=1
	redis_pid "$RDIR" >/dev/null || started_redis=1
	(
		with_lock
		mariadb_start
		redis_start
	)
	# shellcheck disable=SC2317 # called by the EXIT trap
	cleanup() {
		(
			with_lock
			if ((started_redis)); then redis_stop_dir redis "$RDIR"; fi
			if ((started_db)); then mariadb_stop; fi
		)
	}
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	eval "$(print_env)"
	set +e
	"$@"
	rc=$?
	set -e
	exit $rc
	;;
clean)
	with_lock
	cluster_stop
	redis_stop_dir redis "$RDIR"
	mariadb_stop
	exec 9>&-
	rm -rf "$DIR"
	rm -f "${TMPDIR:-/tmp}/jyb-mariadb-$(printf '%s' "$DIR" | md5sum | cut -c1-12).sock"
	log "removed $DIR"
	;;
-h | --help | help | "")
	usage
	;;
*)
	log "unknown command: $cmd"
	usage
	;;
esac
