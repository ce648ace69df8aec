# bench/boot.d/firn-system.sh: building and evaluating firn systems for
# bench/boot and bench/system. Sourced (bash) after debian-root.sh (for
# bench_cache), not run.
#
#   firn_bench_env
#       FIRN_STORE (default $bench_cache/firn-store) and FIRN_DEB_CACHE_DIR
#       (default $bench_cache/debs) exported, so reruns find what earlier
#       runs built and fetched.
#   firn_lock_kernel LOCK
#       prints "PACKAGE VERSION" of the kernel image that LOCK's
#       linux-image-amd64 depends on (linux-image-6.1.0-56-amd64 6.1.192-2)
#   firn_real PATH
#       the real location of a /nix/store path (or a path through symlinks
#       into the store) under $FIRN_STORE
#   firn_build_minimal
#       copies $examples/minimal.nix and $examples/firn.lock to
#       $bench_cache/firn-work/plain and runs `firn system build -j 2` there
#       (./result: the toplevel); sets firn_work. Returns 1 (the log's end
#       on stderr) when the build fails.
#   firn_eval_measure CONF RUNS [--locked]
#       `firn system build -f CONF --dry-run` RUNS times in CONF's directory
#       (after one unmeasured run), wall time and peak RSS of each by
#       $measure (lang.d/measure.c). Sets ev_rc (0, or the first failing
#       run's status), ev_times and ev_kbs (space-separated), ev_log (the
#       last run's output).
#
# The caller sets firn (the binary), measure (an argv array: the timer, its
# output file comes next) and tmp (a scratch directory).

firn_bench_env() {
    export FIRN_STORE=${FIRN_STORE:-$bench_cache/firn-store}
    export FIRN_DEB_CACHE_DIR=${FIRN_DEB_CACHE_DIR:-$bench_cache/debs}
    mkdir -p "$FIRN_STORE" "$FIRN_DEB_CACHE_DIR"
}

firn_build_minimal() {
    firn_work=$bench_cache/firn-work
    mkdir -p "$firn_work/plain" || return 1
    cp -- "$examples/minimal.nix" "$examples/firn.lock" "$firn_work/plain/" || return 1
    if ! (cd "$firn_work/plain" && "$firn" system build -f minimal.nix -j 2) >"$tmp/build.log" 2>&1 </dev/null; then
        tail -n 30 "$tmp/build.log" >&2
        return 1
    fi
}

firn_lock_kernel() {
    python3 - "$1" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))["packages"]
meta = p["linux-image-amd64"]
img = [d for d in meta["depends"] if d.startswith("linux-image-")][0].split()[0]
print(img, p[img]["version"])
EOF
}

# A logical path's real location in the private store (a path already
# under $FIRN_STORE is taken as its logical part).
firn_real() {
    local path=$1
    case $path in "$FIRN_STORE"/*) path=${path#"$FIRN_STORE"} ;; esac
    FIRN_STORE=$FIRN_STORE "$firn" store realpath "$path"
}

firn_eval_measure() {
    local conf=$1 runs=$2 extra=("${@:3}") dir i mo=$tmp/eval-measure.out w k
    dir=$(dirname -- "$conf")
    ev_rc=0 ev_times='' ev_kbs='' ev_log=$tmp/eval.log
    (cd "$dir" && timeout 600 "$firn" system build -f "$conf" --dry-run "${extra[@]}") >"$ev_log" 2>&1 </dev/null
    ev_rc=$?
    ((ev_rc == 0)) || return 0
    for ((i = 1; i <= runs; i++)); do
        rm -f -- "$mo"
        (cd "$dir" && timeout 600 "${measure[@]}" "$mo" "$firn" system build -f "$conf" --dry-run "${extra[@]}") \
            >"$ev_log" 2>&1 </dev/null
        ev_rc=$?
        ((ev_rc == 0)) || return 0
        read -r w k < <(tail -n1 -- "$mo")
        ev_times+="$w " ev_kbs+="$k "
    done
    return 0
}

# Statistics over space-separated numbers.
stat_median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
stat_min() { tr ' ' '\n' <<<"$1" | grep . | sort -g | head -n1; }
stat_max() { tr ' ' '\n' <<<"$1" | grep . | sort -g | tail -n1; }
