#!/bin/sh
# download_tatoeba.sh: fetch real English-Chinese training data for seqtrans.
#
# Downloads the Tatoeba English-Mandarin sentence pairs as packaged by ManyThings.org for
# Anki (https://www.manythings.org/anki/cmn-eng.zip: a tab-separated file cmn.txt with
# English, Chinese and an attribution column), unzips it and splits it deterministically
# into DIR/train.tsv and DIR/dev.tsv.
#
# Usage:
#   scripts/download_tatoeba.sh [DIR]               download into DIR (default data/tatoeba),
#                                                   then split
#   scripts/download_tatoeba.sh --split FILE [DIR]  only split an existing FILE (cmn.txt or
#                                                   any English<TAB>Chinese[<TAB>...] file)
#
# The split is by English sentence: the distinct English sentences are put in a seeded
# pseudo-random order (a Park-Miller generator computed in awk, so every awk gives the same
# order), and whole sentences, with all their translations, go to dev.tsv until it holds at
# least DEV_LINES lines (default 1000); everything else goes to train.tsv. An English
# sentence therefore never appears in both files. Both files keep the input's line order
# and all its columns; a byte-order mark, carriage returns and lines without both an
# English and a Chinese side are dropped. Environment: SEED (default 1), DEV_LINES
# (default 1000), TATOEBA_URL (default the ManyThings.org address above).
#
# Licence of the data: CC-BY 2.0 (France), Tatoeba contributors (https://tatoeba.org). The
# third column carries each pair's attribution; keep it if you redistribute the files.
# The downloaded data is not part of seqtrans and must not be committed to it.
#
# In this development environment the data is already present, split the same way into
# train.tsv / dev.tsv (no download needed): ../shared/data/tatoeba-cmn-eng/
# (relative to the repository root; see its README.md).
#
# Needs: curl or wget, and unzip (for the download); awk and sort (for the split).
set -eu

SEED=${SEED:-1}
DEV_LINES=${DEV_LINES:-1000}
URL=${TATOEBA_URL:-https://www.manythings.org/anki/cmn-eng.zip}
# ManyThings.org refuses some non-browser user agents.
AGENT="Mozilla/5.0 (X11; Linux x86_64) seqtrans-download/1.0"

die() {
    echo "download_tatoeba: $*" >&2
    exit 1
}

usage() {
    echo "usage: $0 [DIR]" >&2
    echo "       $0 --split FILE [DIR]" >&2
    exit 2
}

# split_pairs FILE DIR: writes DIR/train.tsv and DIR/dev.tsv.
split_pairs() {
    in=$1
    out=$2
    [ -r "$in" ] || die "cannot read $in"
    case $SEED in '' | *[!0-9]*) die "SEED must be a positive integer" ;; esac
    case $DEV_LINES in '' | *[!0-9]*) die "DEV_LINES must be a number" ;; esac
    mkdir -p "$out" || die "cannot create $out"
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/tatoeba.XXXXXX") || die "mktemp failed"
    # shellcheck disable=SC2064
    trap "rm -rf '$tmp'" EXIT INT TERM

    # 1. Clean, and tag each line with its English sentence's key and its line number.
    #    The key is the Park-Miller sequence x <- 48271 x mod (2^31 - 1) taken at the
    #    sentence's first appearance: exact in double arithmetic, distinct for every
    #    sentence, and the same in mawk, gawk, busybox awk and the one-true-awk.
    LC_ALL=C awk -F '\t' -v seed="$SEED" '
        BEGIN { x = seed % 2147483647; if (x == 0) x = 1 }
        NR == 1 { sub(/^\357\273\277/, "") }
        { sub(/\r$/, "") }
        NF < 2 || $1 == "" || $2 == "" { next }
        {
            if (!($1 in key)) { x = (x * 48271) % 2147483647; key[$1] = x }
            printf "%d\t%d\t%s\n", key[$1], NR, $0
        }' "$in" >"$tmp/keyed"
    [ -s "$tmp/keyed" ] || die "$in holds no English<TAB>Chinese lines"

    # 2. Seeded shuffle of whole sentences: order by key (then line number); the first
    #    sentences go to dev until it has DEV_LINES lines, the rest to train.
    LC_ALL=C sort -t "$(printf '\t')" -k1,1n -k2,2n "$tmp/keyed" |
        LC_ALL=C awk -F '\t' -v want="$DEV_LINES" -v dev="$tmp/dev" -v train="$tmp/train" '
            {
                if ($1 != last) { to_dev = (ndev < want); last = $1 }
                line = $0
                sub(/^[0-9]+\t/, "", line)          # drop the key, keep the line number
                if (to_dev) { print line >dev; ndev++ } else print line >train
            }'
    [ -f "$tmp/train" ] || : >"$tmp/train"
    [ -f "$tmp/dev" ] || : >"$tmp/dev"

    # 3. Back to the input's order, without the line numbers.
    for f in train dev; do
        LC_ALL=C sort -t "$(printf '\t')" -k1,1n "$tmp/$f" | cut -f 2- >"$tmp/$f.tsv"
        mv "$tmp/$f.tsv" "$out/$f.tsv"
    done
    rm -rf "$tmp"
    trap - EXIT INT TERM
    echo "download_tatoeba: $(wc -l <"$out/train.tsv" | tr -d ' ') pairs in $out/train.tsv," \
        "$(wc -l <"$out/dev.tsv" | tr -d ' ') in $out/dev.tsv" >&2
}

download() {
    dir=$1
    zip="$dir/cmn-eng.zip"
    command -v unzip >/dev/null 2>&1 ||
        die "need unzip to unpack the archive (install it, e.g. 'apt-get install unzip')"
    mkdir -p "$dir" || die "cannot create $dir"
    if [ -s "$zip" ]; then
        echo "download_tatoeba: using $zip already there" >&2
    else
        if command -v curl >/dev/null 2>&1; then
            echo "download_tatoeba: downloading $URL with curl" >&2
            curl -fL --retry 3 -A "$AGENT" -o "$zip.part" "$URL" ||
                { rm -f "$zip.part"; die "download of $URL failed"; }
        elif command -v wget >/dev/null 2>&1; then
            echo "download_tatoeba: downloading $URL with wget" >&2
            wget -q -U "$AGENT" -O "$zip.part" "$URL" ||
                { rm -f "$zip.part"; die "download of $URL failed"; }
        else
            die "need curl or wget to download $URL (install one, e.g. 'apt-get install curl'," \
                "or download it yourself to $zip and run this again)"
        fi
        mv "$zip.part" "$zip"
    fi
    unzip -o -q "$zip" cmn.txt -d "$dir" || die "$zip holds no cmn.txt (is it the cmn-eng archive?)"
    split_pairs "$dir/cmn.txt" "$dir"
}

case ${1:-} in
-h | --help)
    sed -n '2,/^set -eu/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
    exit 0
    ;;
--split)
    if [ $# -lt 2 ] || [ $# -gt 3 ]; then usage; fi
    split_pairs "$2" "${3:-data/tatoeba}"
    ;;
-*)
    usage
    ;;
*)
    [ $# -le 1 ] || usage
    download "${1:-data/tatoeba}"
    ;;
esac
