#!/bin/sh
# Learning curves from `seqtrans train --metrics` files, drawn by gnuplot: train and dev
# loss against steps and against wall time, dev BLEU and chrF per epoch, target tokens/s
# against steps; dotted vertical marks where the learning rate changed. Several files go
# on one figure, one colour each, named in the legend after the file.
# usage: scripts/plot.sh [-o OUT.png|OUT.svg] [--width PX] [--height PX] METRICS.jsonl...
#   default curves.png, 800 px wide, height 3/4 of the width
set -eu
prog=plot.sh
usage() {
    echo "usage: scripts/plot.sh [-o OUT.png|OUT.svg] [--width PX] [--height PX] METRICS.jsonl..." >&2
    exit 2
}
die() { echo "$prog: $*" >&2; exit 1; }

out=curves.png; width=800; height=""
while [ $# -gt 0 ]; do
    case $1 in
        -o|--output) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
        --width) [ $# -ge 2 ] || usage; width=$2; shift 2 ;;
        --height) [ $# -ge 2 ] || usage; height=$2; shift 2 ;;
        -h|--help) usage ;;
        --) shift; break ;;
        -*) echo "$prog: unknown option $1" >&2; usage ;;
        *) break ;;
    esac
done
[ $# -ge 1 ] || { echo "$prog: no metrics file given" >&2; usage; }
case $width in ''|*[!0-9]*) die "--width wants a number of pixels, got '$width'" ;; esac
[ -n "$height" ] || height=$((width * 3 / 4))
case $height in ''|*[!0-9]*) die "--height wants a number of pixels, got '$height'" ;; esac
[ "$width" -ge 200 ] && [ "$width" -le 10000 ] || die "--width must be 200..10000, got $width"
[ "$height" -ge 150 ] && [ "$height" -le 10000 ] || die "--height must be 150..10000, got $height"
case $out in
    *.png|*.PNG) term="pngcairo size $width,$height" ;;
    *.svg|*.SVG) term="svg size $width,$height background '#ffffff'" ;;
    *) die "output must end in .png or .svg: $out" ;;
esac
command -v gnuplot >/dev/null 2>&1 ||
    die "gnuplot not found (Debian: apt-get install gnuplot-nox)"
for f in "$@"; do
    [ -f "$f" ] && [ -r "$f" ] || die "$f: no such readable file"
done

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# One run's metrics into three tables for gnuplot:
#   N.train  step elapsed_s train_loss tok_per_s  (progress, epoch and done events)
#   N.dev    epoch step elapsed_s dev_loss dev_bleu dev_chrf  (epoch events with a dev set)
#   N.lr     step elapsed_s epoch lr  (the first record with a new learning rate)
# Lines that are not whole JSON objects with numeric fields (a run killed mid-line, a
# stray message) are skipped. A step going backwards (resumed from an earlier save)
# starts a new line segment; a clock that restarts at a resume (same or later step)
# is continued. Prints "records dev_records max_elapsed_s".
split_run() {
    awk -v base="$2" '
    function num(key,   s, v) {
        # the value after "key": up to the next , or }; empty unless a JSON number
        if (!match($0, "\"" key "\"[ \t]*:[ \t]*")) return ""
        s = substr($0, RSTART + RLENGTH)
        v = s; sub(/[ \t]*[,}].*$/, "", v)
        return (v ~ /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/) ? v : ""
    }
    function event(   s) {
        if (!match($0, "\"event\"[ \t]*:[ \t]*\"[a-z_]*\"")) return ""
        s = substr($0, RSTART, RLENGTH); sub(/^.*:[ \t]*"/, "", s); sub(/"$/, "", s)
        return s
    }
    {
        sub(/\r$/, "")
        if ($0 !~ /^[ \t]*\{.*\}[ \t]*$/) next
        ev = event()
        if (ev != "progress" && ev != "epoch" && ev != "done") next
        step = num("step"); raw = num("elapsed_s"); loss = num("train_loss")
        tps = num("tok_per_s"); lr = num("lr"); ep = num("epoch")
        if (step == "" || raw == "" || loss == "") next
        # a resumed run whose clock restarted: its time continues the earlier part
        if (n > 0 && raw + 0 < last_raw + 0 && step + 0 >= last_step + 0) offset += last_raw
        last_raw = raw; t = raw + offset
        if (tps == "") tps = "NaN"
        if (n > 0 && step + 0 < last_step + 0) print "" > (base ".train")
        if (!(ev == "done" && step == last_step))
            print step, t, loss, tps > (base ".train")
        n++; last_step = step
        if (t + 0 > tmax) tmax = t + 0
        if (lr != "" && have_lr && lr + 0 != last_lr + 0)
            print step, t, (ep == "" ? "NaN" : ep), lr > (base ".lr")
        if (lr != "") { have_lr = 1; last_lr = lr }
        if (ev == "epoch" && ep != "" && num("dev_loss") != "") {
            bleu = num("dev_bleu"); chrf = num("dev_chrf")
            print ep, step, t, num("dev_loss"), (bleu == "" ? "NaN" : bleu),
                  (chrf == "" ? "NaN" : chrf) > (base ".dev")
            ndev++
        }
    }
    END { printf "%d %d %g\n", n, ndev, tmax }' "$1"
}

# a gnuplot single-quoted string: only the quote itself needs doubling
gpstr() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"; }

# legend names: file names without .jsonl; the path as given when two names collide
names=$tmp/names
for f in "$@"; do basename "$f" | sed 's/\.jsonl$//; s/\.json$//'; done >"$names"
dups=$(sort "$names" | uniq -d | wc -l)

i=0; tmax=0; have_dev=0; max_epoch=0
for f in "$@"; do
    i=$((i + 1))
    set -- $(split_run "$f" "$tmp/$i")
    [ "$1" -gt 0 ] || die "$f: no usable metrics lines (want --metrics output of seqtrans train)"
    [ "$2" -gt 0 ] && have_dev=1
    tmax=$(awk -v a="$tmax" -v b="$3" 'BEGIN { print (b > a ? b : a) }')
    [ -f "$tmp/$i.lr" ] || : >"$tmp/$i.lr"
    [ -f "$tmp/$i.dev" ] || : >"$tmp/$i.dev"
    e=$(awk 'END { print $1 + 0 }' "$tmp/$i.dev"); [ "$e" -gt "$max_epoch" ] && max_epoch=$e
    if [ "$dups" -gt 0 ]; then
        name=$(printf '%s' "$f")
    else
        name=$(sed -n "${i}p" "$names")
    fi
    printf '%s\n' "$name" >"$tmp/$i.name"
done
runs=$i

# wall time in the unit that keeps the numbers readable
set -- $(awk -v t="$tmax" 'BEGIN {
    if (t < 120) print 1, "s"; else if (t < 3 * 3600) print 60, "min"; else print 3600, "h" }')
tdiv=$1; tunit=$2

# a tic interval of 1, 2 or 5 times a power of ten that gives at most 6 tics up to MAX
tic_step() { # MAX
    awk -v m="$1" 'BEGIN {
        if (m <= 0) { print 1; exit }
        raw = m / 5; p = 10 ^ int(log(raw) / log(10)); if (p > raw) p /= 10
        r = raw / p; s = (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * p
        printf "%.10g\n", s }'
}
max_col() { # COL FILES...: the largest value of that column
    col=$1; shift; awk -v c="$col" '$c != "" && $c + 0 > m { m = $c + 0 } END { print m + 0 }' "$@"
}
step_tics=$(tic_step "$(max_col 1 "$tmp"/*.train)")
time_tics=$(tic_step "$(awk -v t="$tmax" -v d="$tdiv" 'BEGIN { print t / d }')")

colors="#1f77b4 #d62728 #2ca02c #9467bd #ff7f0e #17becf #8c564b #e377c2"
color() { echo $colors | awk -v i="$1" '{ print $(((i - 1) % NF) + 1) }'; }

# dotted vertical marks at learning-rate changes; COL is the table column of the x value
lr_marks() { # COL LABEL(0|1) DIV
    j=0
    while [ $j -lt "$runs" ]; do
        j=$((j + 1))
        c=$(color $j)
        awk -v col="$1" -v label="$2" -v div="$3" -v c="$c" '
            $col != "NaN" {
                x = $col / div
                printf "set arrow from first %.10g, graph 0 to first %.10g, graph 1 nohead dt 3 lw 1.5 lc rgb \"%s\"\n", x, x, c
                if (label) printf "set label \"lr %g\" at first %.10g, graph 0.98 right rotate by 90 offset -0.3,0 tc rgb \"%s\" font \",8\"\n", $4, x, c
            }' "$tmp/$j.lr"
    done
}

# plot clauses, one per run, for "plot" in the panel; in FORMAT %F stands for the run's
# table, %C for its colour, %N for the gnuplot variable holding its name
clauses() { # SUFFIX FORMAT [dev]
    j=0; sep=""
    while [ $j -lt "$runs" ]; do
        j=$((j + 1))
        [ "${3:-}" = dev ] && [ ! -s "$tmp/$j.dev" ] && continue
        printf '%s' "$sep"
        printf '%s' "$2" | sed "s|%F|'$tmp/$j.$1'|g; s|%C|\"$(color $j)\"|g; s|%N|name$j|g"
        sep=", "
    done
}

title="Training curves"
[ "$runs" -gt 1 ] && title="Training curves of $runs runs"
{
    echo "set terminal $term noenhanced font 'DejaVu Sans,10' linewidth 1.5"
    echo "set output $(gpstr "$out")"
    echo "set datafile missing 'NaN'"
    j=0; while [ $j -lt "$runs" ]; do j=$((j + 1)); echo "name$j = $(gpstr "$(cat "$tmp/$j.name")")"; done
    echo "set grid lc rgb '#dddddd'"
    echo "set key font ',9' spacing 1.1 opaque box lc rgb '#bbbbbb'"
    echo "set multiplot layout 2,2 title '$title' font ',12'"
    echo "set key bottom left"
    echo "set offsets 0, 0, graph 0.04, graph 0.04  # no curve along a border"
    echo "set xlabel 'step'; set ylabel 'loss (nats/token)'"
    echo "set title 'Loss against steps (train solid, dev dashed)' font ',10'"
    echo "set xrange [0:*]; set xtics $step_tics"
    lr_marks 1 1 1
    printf 'plot '
    clauses train "%F using 1:3 with lines lc rgb %C title %N"
    [ "$have_dev" = 1 ] &&
        printf ', %s' "$(clauses dev "%F using 2:4 with linespoints dt 2 pt 7 ps 0.7 lc rgb %C notitle" dev)"
    echo
    echo "unset arrow; unset label"
    echo "set xlabel 'wall time ($tunit)'; set ylabel 'loss (nats/token)'"
    echo "set title 'Loss against wall time' font ',10'"
    echo "set xtics $time_tics; set autoscale xfixmax"
    echo "unset key"
    lr_marks 2 0 "$tdiv"
    printf 'plot '
    clauses train "%F using (\$2/$tdiv):3 with lines lc rgb %C notitle"
    [ "$have_dev" = 1 ] &&
        printf ', %s' "$(clauses dev "%F using (\$3/$tdiv):4 with linespoints dt 2 pt 7 ps 0.7 lc rgb %C notitle" dev)"
    echo
    echo "unset arrow; unset label"
    echo "set xlabel 'epoch'; set ylabel 'score (0-100)'"
    echo "set title 'Dev BLEU (solid) and chrF (dashed) per epoch' font ',10'"
    if [ "$have_dev" = 1 ]; then
        echo "set offsets 0, 0, graph 0.04, 0; set yrange [0:*]; set xrange [0.5:$max_epoch + 0.5]; set xtics $(tic_step $((max_epoch < 5 ? 5 : max_epoch)))"
        lr_marks 3 0 1
        printf 'plot '
        clauses dev "%F using 1:5 with linespoints pt 7 ps 0.8 lc rgb %C notitle, %F using 1:6 with linespoints dt 2 pt 6 ps 0.8 lc rgb %C notitle" dev
        echo
    else
        echo "set label 'no dev set in these runs (train --dev)' at graph 0.5, graph 0.5 center"
        echo "set xrange [0:1]; set yrange [0:100]; plot NaN notitle"
        echo "set xrange [*:*]; set yrange [*:*]"
    fi
    echo "unset arrow; unset label"
    echo "set xlabel 'step'; set ylabel 'target tokens/s'"
    echo "set title 'Training speed (dotted: learning rate changed)' font ',10'"
    echo "unset key"
    echo "set offsets 0, 0, 0, 0; set autoscale x"
    echo "set xrange [0:*]; set yrange [0:*]; set xtics $step_tics"
    lr_marks 1 0 1
    printf 'plot '
    clauses train "%F using 1:4 with lines lc rgb %C notitle"
    echo
    echo "unset multiplot"
} >"$tmp/plot.gp"

gnuplot "$tmp/plot.gp" 2>"$tmp/err" || { cat "$tmp/err" >&2; die "gnuplot failed"; }
# gnuplot prints warnings (an empty table) but still draws; show them
[ -s "$tmp/err" ] && sed "s/^/$prog: gnuplot: /" "$tmp/err" >&2
[ -s "$out" ] || die "gnuplot wrote nothing to $out"
echo "$prog: wrote $out (${width}x$height, $runs run(s))" >&2
