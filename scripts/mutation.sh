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
#/ Environment: MUTATION_WORKERS (default 1), MUTATION_TIMEOUT_COEFFICIENT
#/ (default 5: gremlins gives each mutant's build and test run together
#/ this many times the coverage run's time; at 2 or 3 a rebuild on shared
#/ cores is cut off and counted TIMED OUT, at 10 each mutant that loops
#/ forever costs over a minute),
#/ MUTATION_FULL, MUTATION_OUT.
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

# count FILE LABEL: the number after "LABEL: " in gremlins' summary.
count() {
  sed -n "s/.*$2: \([0-9][0-9]*\).*/\1/p" "$1" | tail -n 1
}

table="$out/table.md"
printf '| package | mutants | killed | lived | not covered | timed out | efficacy |\n' >"$table"
printf '|---|---|---|---|---|---|---|\n' >>"$table"
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
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$total" "$killed" "$lived" "$uncovered" "$timedout" "$efficacy" >>"$table"
done

echo
cat "$table"
echo
echo "Survivors (LIVED) and mutants no test reaches (NOT COVERED):"
for p in "$@"; do
  grep -E '^ *(LIVED|NOT COVERED) ' "$out/$p.log" | sed "s|^ *|  pkg/$p: |" || true
done
