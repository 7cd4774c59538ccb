# Sourced by tests/cli_*.sh. $SEQTRANS is the binary under test.
# ok NAME CMD...            passes when CMD exits 0
# exits CODE NAME CMD...    passes when CMD exits with CODE
# summary NAME              prints "NAME: N passed, M failed"
: "${SEQTRANS:=./seqtrans}"
cli_passed=0; cli_failed=0
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
pass() { cli_passed=$((cli_passed + 1)); }
fail() { cli_failed=$((cli_failed + 1)); echo "FAIL $1" >&2; }
exits() {
    code=$1; name=$2; shift 2
    "$@" >"$TMP/out" 2>"$TMP/err" </dev/null; rc=$?
    if [ "$rc" = "$code" ]; then pass; else fail "$name (exit $rc, want $code)"; cat "$TMP/err" >&2; fi
}
ok() { name=$1; shift; exits 0 "$name" "$@"; }
# same NAME FILE EXPECTED-TEXT : passes when FILE holds exactly EXPECTED-TEXT
same() {
    if [ "$(cat "$2")" = "$3" ]; then pass; else fail "$1: got '$(cat "$2")', want '$3'"; fi
}
summary() { echo "$1: $cli_passed passed, $cli_failed failed"; [ "$cli_failed" -eq 0 ]; }
