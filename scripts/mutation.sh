#!/bin/sh
#/ Usage: scripts/mutation.sh [PACKAGE...]
#/
#/ Mutation testing of the packages that keep vodflow's promise, one package at
#/ a time, with gremlins (installed into $(go env GOPATH)/bin at the pinned
#/ version if it is not there). Each mutant is judged by its own package's
#/ tests only, with every optional mutator on. Prints one table:
#/
#/   package | mutants | killed | lived | not covered | timed out | efficacy
#/
#/ where efficacy = killed / (killed + lived), gremlins' own figure.
#/ The survivors (LIVED, NOT COVERED) are listed under the table, and each
#/ package's full log and JSON report are kept in $MUTATION_OUT
#/ (default: a fresh directory under /tmp).
#/
#/ PACKAGE is one of: signing events action redact upload callback webhook
#/ vodstation backoff (default: all of them, in that order). For vodstation,
#/ only the retry rules (retry.go, client.go) are mutated.
#/
#/ A package listed in short() below is measured with its tests run under
#/ -short (GOFLAGS, so gremlins' coverage run and every mutant's test run
#/ alike): its slow tests skip the parts other tests cover, and a mutant
#/ only a skipped part reaches is NOT COVERED, never counted as killed. The
#/ table names such a row "PACKAGE (-short)". MUTATION_FULL=1 runs every
#/ package's tests in full.
#/
#/ gremlins judges only the mutants its coverage run reached, and Go's cover
#/ profile puts no block around a switch's case expressions or a const
#/ declaration: their mutants are NOT COVERED although tests run through
#/ them. So the script then re-checks every NOT COVERED mutant itself: it
#/ applies that one mutation (the operator at the reported line and column)
#/ to a copy of the module, runs the package's tests, and counts it killed,
#/ lived, timed out or not viable (does not build). The table gives those
#/ counts beside gremlins' own, and an efficacy over both. MUTATION_RECHECK=0
#/ turns the re-check off.
#/
#/ Environment: MUTATION_WORKERS (default 1), MUTATION_TIMEOUT_COEFFICIENT
#/ (default 5: gremlins gives each mutant's build and test run together
#/ this many times the coverage run's time; at 2 or 3 a rebuild on shared
#/ cores is cut off and counted TIMED OUT, at 10 each mutant that loops
#/ forever costs over a minute),
#/ MUTATION_FULL, MUTATION_RECHECK, MUTATION_OUT.
#/
#/ This is NOT part of .ci/run: on the 2-core machine the full run takes far
#/ longer than a CI run should (tens of minutes). Run it by hand; see
#/ docs/MUTATION.md for the last table and the survivors proven equivalent.
set -eu
cd "$(dirname "$0")/.."

case "${1:-}" in -h|--help) grep '^#/' "$0" | cut -c4-; exit 0 ;; esac

GREMLINS_VERSION=v0.6.0
workers=${MUTATION_WORKERS:-1}
coefficient=${MUTATION_TIMEOUT_COEFFICIENT:-5}
out=${MUTATION_OUT:-$(mktemp -d /tmp/vodflow-mutation.XXXXXX)}
mkdir -p "$out"

gobin=$(go env GOBIN)
[ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
gremlins="$gobin/gremlins"
if [ ! -x "$gremlins" ]; then
  echo "installing gremlins $GREMLINS_VERSION" >&2
  go install "github.com/go-gremlins/gremlins/cmd/gremlins@$GREMLINS_VERSION"
fi

[ "$#" -gt 0 ] || set -- signing events action redact upload callback webhook vodstation backoff

# excludes PKG: the -E flags that keep gremlins to the part of PKG measured.
excludes() {
  case "$1" in
    vodstation)
      for f in pkg/vodstation/*.go; do
        case "$f" in
          *_test.go|*/retry.go|*/client.go) ;;
          *) printf ' -E ^%s$' "$(basename "$f" | sed 's/\./\\./g')" ;;
        esac
      done ;;
  esac
}

# short PKG: whether PKG's mutants are judged by its tests under -short.
# upload: TestAddFilesLargestInput's webhook case (1,000 deliveries, about
# 4 s) skips under -short; TestAddFilesCompactNotified covers the same code
# with 200 paths.
short() {
  [ "${MUTATION_FULL:-}" = "" ] || return 1
  case "$1" in upload) return 0 ;; esac
  return 1
}

# mutate TYPE LINE COLUMN FILE: applies gremlins' mutation TYPE to the
# operator that starts at LINE:COLUMN (bytes, from 1) of FILE, in place, as
# gremlins' mutators do (v0.6.0: internal/mutator). Fails, leaving FILE as
# it was, when no operator of TYPE starts there.
mutate() {
  case "$1" in
    CONDITIONALS_BOUNDARY) pairs='<=:<,>=:>,<:<=,>:>=' ;;
    CONDITIONALS_NEGATION) pairs='==:!=,!=:==,<=:>,>=:<,<:>=,>:<=' ;;
    INVERT_LOGICAL) pairs='&&:||,||:&&' ;;
    ARITHMETIC_BASE) pairs='+:-,-:+,*:/,/:*,%:*' ;;
    INVERT_NEGATIVES) pairs='-:+' ;;
    INCREMENT_DECREMENT) pairs='++:--,--:++' ;;
    INVERT_LOOPCTRL) pairs='break:continue,continue:break' ;;
    INVERT_BITWISE) pairs='&^:&,&:|,|:&,^:&,<<:>>,>>:<<' ;;
    INVERT_BWASSIGN) pairs='&^=:&=,&=:|=,|=:&=,^=:&=,<<=:>>=,>>=:<<=' ;;
    INVERT_ASSIGNMENTS) pairs='+=:-=,-=:+=,*=:/=,/=:*=,%=:*=' ;;
    REMOVE_SELF_ASSIGNMENTS) pairs='&^=:=,<<=:=,>>=:=,+=:=,-=:=,*=:=,/=:=,%=:=,&=:=,|=:=,^=:=' ;;
    *) return 1 ;;
  esac
  awk -v line="$2" -v col="$3" -v pairs="$pairs" '
    NR == line {
      pre = substr($0, 1, col - 1); rest = substr($0, col)
      n = split(pairs, list, ",")
      for (i = 1; i <= n; i++) {
        split(list[i], ft, ":")
        if (index(rest, ft[1]) == 1) { $0 = pre ft[2] substr(rest, length(ft[1]) + 1); done = 1; break }
      }
    }
    { print }
    END { exit !done }' "$4" >"$4.mutant" && mv "$4.mutant" "$4" || { rm -f "$4.mutant"; return 1; }
}

# recheck PKG GOFLAGS: judges PKG's NOT COVERED mutants on a copy of the
# module, one at a time, with PKG's tests (run with GOFLAGS), each given
# the coefficient times the tests' own time. Writes "STATUS TYPE at
# FILE:LINE:COLUMN" lines to $out/PKG.recheck.
recheck() {
  rlog="$out/$1.recheck"
  : >"$rlog"
  grep -E '^ *NOT COVERED ' "$out/$1.log" |
    sed -E 's/^ *NOT COVERED +([A-Z_]+) at ([^:]+):([0-9]+):([0-9]+).*/\1 \2 \3 \4/' >"$out/$1.uncovered" || true
  [ -s "$out/$1.uncovered" ] || return 0
  work=$(mktemp -d /tmp/vodflow-recheck.XXXXXX)
  tar --exclude=./.git --exclude=./dist -cf - . | tar -xf - -C "$work"
  start=$(date +%s)
  (cd "$work" && GOFLAGS=$2 go test "./pkg/$1" >/dev/null 2>&1) ||
    { echo "recheck: pkg/$1's tests fail unmutated" >&2; rm -rf "$work"; return 1; }
  limit=$(( ($(date +%s) - start + 5) * coefficient + 30 ))
  while read -r type file line col; do
    f="$work/pkg/$1/$file"
    cp "$f" "$f.orig"
    if ! mutate "$type" "$line" "$col" "$f"; then
      status="NOT APPLIED"
    elif (cd "$work" && GOFLAGS=$2 timeout -k 10 $((limit + 30)) go test -timeout "${limit}s" "./pkg/$1" </dev/null >"$work/out" 2>&1); then
      status=LIVED
    elif [ $? -eq 124 ] || grep -q 'panic: test timed out' "$work/out"; then
      status="TIMED OUT"
    elif grep -q 'build failed\|setup failed' "$work/out"; then
      status="NOT VIABLE"
    else
      status=KILLED
    fi
    mv "$f.orig" "$f"
    printf '%12s %s at %s:%s:%s\n' "$status" "$type" "$file" "$line" "$col" >>"$rlog"
  done <"$out/$1.uncovered"
  rm -rf "$work"
}

# count FILE LABEL: the number after "LABEL: " in gremlins' summary.
count() {
  sed -n "s/.*$2: \([0-9][0-9]*\).*/\1/p" "$1" | tail -n 1
}

table="$out/table.md"
printf '| package | mutants | killed | lived | not covered | timed out | efficacy | not covered, re-checked: killed / lived / other | efficacy with them |\n' >"$table"
printf '|---|---|---|---|---|---|---|---|---|\n' >>"$table"
for p in "$@"; do
  [ -d "pkg/$p" ] || { echo "no package pkg/$p" >&2; exit 2; }
  log="$out/$p.log"
  # -count=1: gremlins times its coverage run to set every mutant's
  # timeout; a cached test result would make that time (and so every
  # timeout) next to nothing.
  name=$p goflags="${GOFLAGS:-} -count=1"
  if short "$p"; then
    name="$p (-short)" goflags="$goflags -short"
  fi
  echo "== pkg/$name (log: $log)" >&2
  # shellcheck disable=SC2046 # excludes is a list of flags on purpose
  GOFLAGS=$goflags "$gremlins" unleash --workers "$workers" --timeout-coefficient "$coefficient" \
    --invert-assignments --invert-bitwise --invert-bwassign --invert-logical \
    --invert-loopctrl --remove-self-assignments \
    $(excludes "$p") -o "$out/$p.json" "./pkg/$p" >"$log" 2>&1 ||
    { echo "gremlins failed on pkg/$p:" >&2; tail -n 20 "$log" >&2; exit 1; }
  killed=$(count "$log" Killed); lived=$(count "$log" Lived)
  uncovered=$(count "$log" 'Not covered'); timedout=$(count "$log" 'Timed out')
  viable=$(count "$log" 'Not viable')
  total=$((killed + lived + uncovered + timedout + viable))
  if [ $((killed + lived)) -gt 0 ]; then
    efficacy=$(awk -v k="$killed" -v l="$lived" 'BEGIN { printf "%.1f%%", 100 * k / (k + l) }')
  else
    efficacy=n/a
  fi
  rechecked=- overall=$efficacy
  if [ "${MUTATION_RECHECK:-1}" != 0 ]; then
    echo "== pkg/$name: re-checking its $uncovered NOT COVERED mutants" >&2
    recheck "$p" "$goflags"
    rk=$(grep -c '^ *KILLED ' "$out/$p.recheck" || true)
    rl=$(grep -c '^ *LIVED ' "$out/$p.recheck" || true)
    ro=$(grep -vc '^ *\(KILLED\|LIVED\) ' "$out/$p.recheck" || true)
    rechecked="$rk / $rl / $ro"
    if [ $((killed + lived + rk + rl)) -gt 0 ]; then
      overall=$(awk -v k=$((killed + rk)) -v l=$((lived + rl)) 'BEGIN { printf "%.1f%%", 100 * k / (k + l) }')
    fi
  fi
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$total" "$killed" "$lived" "$uncovered" "$timedout" "$efficacy" "$rechecked" "$overall" >>"$table"
done

echo
cat "$table"
echo
echo "Survivors (LIVED), and the NOT COVERED mutants as the re-check judged them:"
for p in "$@"; do
  grep -E '^ *LIVED ' "$out/$p.log" | sed "s|^ *|  pkg/$p: |" || true
  if [ -s "$out/$p.recheck" ]; then
    grep -v '^ *KILLED ' "$out/$p.recheck" | sed "s|^ *|  pkg/$p: re-checked: |" || true
  else
    grep -E '^ *NOT COVERED ' "$out/$p.log" | sed "s|^ *|  pkg/$p: |" || true
  fi
done
