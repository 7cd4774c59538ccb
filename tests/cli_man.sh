#!/bin/sh
# The man pages (seqtrans --man [COMMAND], installed by `make install`): lint-clean roff,
# the same options and defaults as --help, seqtrans(1) listing every command.
. tests/cli_lib.sh

# options FILE: the long options of the option lines of a --help text, sorted
help_options() {
    sed -n -e 's/^  -., \(--[a-z-]*\).*/\1/p' -e 's/^      \(--[a-z-]*\).*/\1/p' "$1" | sort
}
# The man page's option tags (the line after each .TP) as plain text.
man_options() {
    sed -n '/^\.TP$/{n;p;}' "$1" | sed 's/\\-/-/g; s/\\f[BIR]//g' | grep -o -- '--[a-z-]*' | sort
}
# The text of a page or help on one line: escapes undone, lines joined, spaces squeezed.
flat() { sed 's/\\-/-/g; s/\\e/\\/g; s/\\&//g; s/\\f[BIR]//g' "$1" | tr '\n' ' ' | tr -s ' '; }

have_mandoc=0
if command -v mandoc >/dev/null 2>&1; then have_mandoc=1
else echo "man_cli: skipping the lint checks: mandoc is not installed (apt-get install mandoc)"; fi
lint() { # lint NAME PAGE
    if [ $have_mandoc = 1 ]; then
        mandoc -T lint -W all "$2" > "$TMP/lint" 2>&1 && [ ! -s "$TMP/lint" ] && pass ||
            { fail "$1: mandoc -T lint"; cat "$TMP/lint" >&2; }
    fi
}

ok "seqtrans --man" "$SEQTRANS" --man
cp "$TMP/out" "$TMP/seqtrans.1"
lint "seqtrans.1" "$TMP/seqtrans.1"
grep -q '^\.TH SEQTRANS 1 ' "$TMP/seqtrans.1" && pass || fail "seqtrans.1 has its title line"
exits 2 "--man of an unknown command" "$SEQTRANS" --man frobnicate

"$SEQTRANS" --help > "$TMP/main-help"
commands=$(sed -n 's/^  \([a-z]*\)  .*/\1/p' "$TMP/main-help")
[ "$(echo $commands)" = "tokenize train eval translate quantize info" ] && pass || fail "--help lists the commands: $commands"
for cmd in $commands; do
    grep -q "^\.B $cmd\$" "$TMP/seqtrans.1" && grep -q "^\.BR seqtrans\\\\-$cmd (1)" "$TMP/seqtrans.1" &&
        pass || fail "seqtrans.1 lists $cmd and its page"
    ok "--man $cmd" "$SEQTRANS" --man $cmd
    page="$TMP/seqtrans-$cmd.1"
    cp "$TMP/out" "$page"
    lint "seqtrans-$cmd.1" "$page"
    "$SEQTRANS" $cmd --help > "$TMP/help"
    help_options "$TMP/help" > "$TMP/help-opts"
    man_options "$page" > "$TMP/man-opts"
    [ -s "$TMP/help-opts" ] && cmp -s "$TMP/help-opts" "$TMP/man-opts" && pass ||
        fail "$cmd: --help has '$(echo $(cat "$TMP/help-opts"))', the man page '$(echo $(cat "$TMP/man-opts"))'"
    # every default --help shows is in the man page, word for word
    flat "$TMP/help" > "$TMP/help-flat"
    flat "$page" > "$TMP/man-flat"
    grep -o '(default: [^)]*)' "$TMP/help-flat" > "$TMP/defaults"
    missing=0
    while IFS= read -r d; do grep -qF -- "$d" "$TMP/man-flat" || { missing=1; echo "missing: $d" >&2; }; done < "$TMP/defaults"
    # (info and quantize have no option with a default: nothing to compare)
    { [ -s "$TMP/defaults" ] || [ "$cmd" = info ] || [ "$cmd" = quantize ]; } && [ $missing = 0 ] && pass || fail "$cmd: the man page has every default of --help"
    grep -qF "$(sed -n 's/^usage: seqtrans \(.*\)/\1/p' "$TMP/help" | head -n 1)" "$TMP/man-flat" && pass ||
        fail "$cmd: the man page has the usage line"
done

# `make install` puts the pages where man finds them, and the completion where bash does.
if [ "$SEQTRANS" = ./seqtrans ] && [ -f Makefile ] && command -v make >/dev/null 2>&1; then
    env -u MAKEFLAGS -u MFLAGS make -s install DESTDIR="$TMP/root" PREFIX=/usr > "$TMP/install.log" 2>&1 &&
        pass || { fail "make install"; cat "$TMP/install.log" >&2; }
    for page in seqtrans $(for c in $commands; do echo seqtrans-$c; done); do
        [ -f "$TMP/root/usr/share/man/man1/$page.1" ] && pass || fail "make install: $page.1"
    done
    [ -f "$TMP/root/usr/share/bash-completion/completions/seqtrans" ] && pass || fail "make install: the completion"
    if command -v man >/dev/null 2>&1; then
        MANPATH="$TMP/root/usr/share/man" man -w seqtrans-train > "$TMP/where" 2>&1
        grep -q "man1/seqtrans-train.1" "$TMP/where" && pass || fail "man finds seqtrans-train: $(cat "$TMP/where")"
    fi
else
    echo "man_cli: skipping make install: it installs ./seqtrans, not $SEQTRANS"
fi

summary man_cli
