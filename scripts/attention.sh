#!/bin/sh
# One sentence's attention as a heatmap: source tokens along x, target tokens (and the
# end of sentence) down y, the weight each target token gave each source token as colour.
# The weights come from `seqtrans translate --alignment soft`, whose line is
#   TRANSLATION ||| W W ... W   (one group per target token and one for </s>; a group
#                                holds the comma-separated weights over the source tokens)
# usage: scripts/attention.sh -m MODEL [-o OUT.png|OUT.svg] "source sentence"
#        scripts/attention.sh --from-file LINE.txt [-m MODEL | --langs en-zh] [-o OUT] "source sentence"
#   --from-file reads that line from a file ('-': stdin) instead of translating; without
#   -m the tokens come from the plain tokenizers of --langs SRC-TGT (default en-zh).
#   $SEQTRANS names the binary (default ./seqtrans, else seqtrans on the PATH).
set -eu
prog=attention.sh
usage() {
    echo "usage: scripts/attention.sh -m MODEL [-o OUT.png|OUT.svg] [--from-file LINE.txt] [--langs SRC-TGT] \"source sentence\"" >&2
    exit 2
}
die() { echo "$prog: $*" >&2; exit 1; }

model=""; out=attention.png; from=""; langs=en-zh
while [ $# -gt 0 ]; do
    case $1 in
        -m|--model) [ $# -ge 2 ] || usage; model=$2; shift 2 ;;
        -o|--output) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
        --from-file) [ $# -ge 2 ] || usage; from=$2; shift 2 ;;
        --langs) [ $# -ge 2 ] || usage; langs=$2; shift 2 ;;
        -h|--help) usage ;;
        --) shift; break ;;
        -*) echo "$prog: unknown option $1" >&2; usage ;;
        *) break ;;
    esac
done
[ $# -eq 1 ] || { echo "$prog: want exactly one source sentence (quote it)" >&2; usage; }
sentence=$1
[ -n "$sentence" ] || die "the source sentence is empty"
[ -n "$model" ] || [ -n "$from" ] || { echo "$prog: -m MODEL is needed to translate" >&2; usage; }
case $langs in
    en-zh|zh-en) src_lang=${langs%-*}; tgt_lang=${langs#*-} ;;
    *) die "--langs must be en-zh or zh-en, got '$langs'" ;;
esac
case $out in
    *.png|*.PNG|*.svg|*.SVG) ;;
    *) die "output must end in .png or .svg: $out" ;;
esac
[ -z "$model" ] || [ -f "$model" ] || die "$model: no such model file"
[ -z "$from" ] || [ "$from" = - ] || [ -f "$from" ] || die "$from: no such file"
command -v gnuplot >/dev/null 2>&1 ||
    die "gnuplot not found (Debian: apt-get install gnuplot-nox)"
if [ -z "${SEQTRANS:-}" ]; then
    if [ -x ./seqtrans ]; then SEQTRANS=./seqtrans; else SEQTRANS=seqtrans; fi
fi

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

if [ -n "$from" ]; then
    grep -v '^[[:space:]]*$' -- "$from" | head -n 1 >"$tmp/line" || true
else
    printf '%s\n' "$sentence" |
        "$SEQTRANS" translate -m "$model" --alignment soft >"$tmp/line" 2>"$tmp/err" ||
        { cat "$tmp/err" >&2; die "seqtrans translate --alignment soft failed"; }
fi
[ -s "$tmp/line" ] || die "no alignment line to draw"

# tokens of one side, one per line: the model's tokenizer, or the plain one of LANG
tokens() { # SIDE LANG TEXT
    if [ -n "$model" ]; then
        printf '%s\n' "$3" | "$SEQTRANS" tokenize -m "$model" --side "$1"
    else
        printf '%s\n' "$3" | "$SEQTRANS" tokenize -l "$2"
    fi | tr ' ' '\n' | grep -v '^$' || true
}

# the line into the translation and a matrix (one row per target token, one column per
# source token); everything after the last " ||| " is the groups
awk -v tr="$tmp/translation" -v mx="$tmp/matrix" '
    {
        sub(/\r$/, "")
        cut = 0; s = $0
        while ((i = index(s, " ||| ")) > 0) { cut += i + 4; s = substr(s, i + 5) }
        if (cut == 0) { print "the line has no \" ||| \" (want translate --alignment soft output)" > "/dev/stderr"; exit 1 }
        print substr($0, 1, cut - 5) > tr
        n = split(s, groups, " ")
        for (g = 1; g <= n; g++) {
            k = split(groups[g], w, ",")
            if (g == 1) cols = k
            else if (k != cols) { printf "group %d has %d weights, group 1 has %d\n", g, k, cols > "/dev/stderr"; exit 1 }
            row = ""
            for (c = 1; c <= k; c++) {
                if (w[c] !~ /^-?[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?$/) {
                    printf "group %d: \"%s\" is not a weight\n", g, w[c] > "/dev/stderr"; exit 1
                }
                row = row (c > 1 ? " " : "") w[c]
            }
            print row > mx
        }
        if (n == 0) { print "no weights after \" ||| \"" > "/dev/stderr"; exit 1 }
        exit 0
    }' "$tmp/line" || die "unusable alignment line: $(cut -c1-120 "$tmp/line")"

rows=$(wc -l <"$tmp/matrix"); cols=$(awk 'NR == 1 { print NF }' "$tmp/matrix")
tokens src "$src_lang" "$sentence" >"$tmp/src"
tokens tgt "$tgt_lang" "$(cat "$tmp/translation")" >"$tmp/tgt"
echo '</s>' >>"$tmp/tgt"
# when the tokens do not match the weights, say so and label by position instead
if [ "$(wc -l <"$tmp/src")" -ne "$cols" ]; then
    echo "$prog: warning: $(wc -l <"$tmp/src") source tokens but $cols weights per group; labelling by position" >&2
    seq 1 "$cols" | sed 's/^/#/' >"$tmp/src"
fi
if [ "$(wc -l <"$tmp/tgt")" -ne "$rows" ]; then
    echo "$prog: warning: $(wc -l <"$tmp/tgt") target tokens with </s> but $rows groups; labelling by position" >&2
    seq 1 "$rows" | sed 's/^/#/' >"$tmp/tgt"
fi

# a font with Chinese characters: WenQuanYi Micro Hei when there, else any fontconfig knows
font=""
if command -v fc-list >/dev/null 2>&1; then
    font=$(fc-list :lang=zh family | grep -o 'WenQuanYi Micro Hei' | head -n 1 || true)
    [ -n "$font" ] || font=$(fc-list :lang=zh family | head -n 1 | cut -d, -f1)
fi
[ -n "$font" ] || { echo "$prog: warning: no font with Chinese characters (Debian: apt-get install fonts-wqy-microhei)" >&2; font="DejaVu Sans"; }

# square cells big enough for a two-character token and a weight
cell=46
width=$((150 + cols * cell + 120)); [ "$width" -ge 420 ] || width=420
height=$((80 + rows * cell + 110)); [ "$height" -ge 300 ] || height=300
case $out in
    *.png|*.PNG) term="pngcairo size $width,$height" ;;
    *) term="svg size $width,$height background '#ffffff'" ;;
esac

gpstr() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"; }
tics() { # FILE: gnuplot tic list ("tok" 0, ...)
    i=0; sep=""; printf '('
    while IFS= read -r t; do
        printf '%s%s %d' "$sep" "$(gpstr "$t")" "$i"; sep=", "; i=$((i + 1))
    done <"$1"
    printf ')'
}

{
    echo "set terminal $term noenhanced font $(gpstr "$font,11")"
    echo "set output $(gpstr "$out")"
    # source above translation; printf, since a shell's echo may expand the \n itself
    printf '%s."\\n".%s font %s\n' "set title $(gpstr "$sentence")" "$(gpstr "$(cat "$tmp/translation")")" "',12'"
    echo "set xlabel 'source token'; set ylabel 'target token'"
    echo "set xrange [-0.5:$cols - 0.5]; set yrange [$rows - 0.5:-0.5]"
    echo "set xtics $(tics "$tmp/src") rotate by 45 right nomirror out scale 0"
    echo "set ytics $(tics "$tmp/tgt") nomirror out scale 0"
    echo "set cbrange [0:1]; set cblabel 'attention weight'; set cbtics 0.2"
    echo "set palette defined (0 '#ffffff', 0.3 '#9ecae1', 0.7 '#3182bd', 1 '#08306b')"
    echo "set size ratio -1"
    echo "unset key"
    echo "set lmargin 12"
    # weights of 0.1 and more written in their cell, white on the dark ones
    echo "plot '$tmp/matrix' matrix with image, \\"
    echo "     '' matrix using 1:2:(\$3 >= 0.1 ? sprintf('%.2f', \$3) : ''):(\$3 > 0.55 ? 0xffffff : 0x000000) with labels tc rgb variable font ',8'"
} >"$tmp/plot.gp"

gnuplot "$tmp/plot.gp" 2>"$tmp/err" || { cat "$tmp/err" >&2; die "gnuplot failed"; }
[ -s "$tmp/err" ] && sed "s/^/$prog: gnuplot: /" "$tmp/err" >&2
[ -s "$out" ] || die "gnuplot wrote nothing to $out"
echo "$prog: wrote $out (${width}x$height, $cols source x $rows target tokens)" >&2
