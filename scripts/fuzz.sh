#!/bin/sh
# Fuzzes every parser of untrusted input with libFuzzer: the corpus reader, the tokenizers
# with the vocabulary (de)serializer, the model file loader, and the BPE deserializer,
# segmenter and joiner (tests/fuzz_*.c).
#
# usage: scripts/fuzz.sh [SECONDS] [TARGET...]
#   SECONDS  run time per target (default 60); TARGET: corpus, tokenize, model_file, bpe
#            (default all four, one after the other)
#
# Builds each target with clang -fsanitize=fuzzer,address,undefined against the library
# sources (src/*/*.c) into build-fuzz/, makes seed inputs on the fly from
# data/*.tsv and a tiny model trained with ./seqtrans, then runs each target for SECONDS.
# Exit status 0 when nothing was found; 1 on any finding (crash, sanitizer report, leak,
# hang, memory blow-up: the input is saved under build-fuzz/artifacts/TARGET/ and the log is
# shown), 2 when the build fails. Inputs found interesting are kept in build-fuzz/corpus/
# and reused by the next run. To replay one input: build-fuzz/fuzz_TARGET FILE.
# Environment: CLANG (default clang), FUZZ_FLAGS (extra libFuzzer flags), FUZZ_VERBOSE=1
# (let the library's warnings through).
set -u
cd "$(dirname "$0")/.." || exit 2

secs=${1:-60}
case "$secs" in ''|*[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS] [corpus|tokenize|model_file|bpe ...]" >&2; exit 2 ;; esac
[ $# -gt 0 ] && shift
targets=${*:-corpus tokenize model_file bpe}

CLANG=${CLANG:-clang}
out=build-fuzz
blas_include=$(ls -d /usr/include/*/openblas-pthread 2>/dev/null | head -n 1)
CFLAGS="-std=c11 -g -O1 -fno-omit-frame-pointer -D_GNU_SOURCE -Wall -Wextra -Isrc
        ${blas_include:+-I$blas_include} -fsanitize=address,undefined -fno-sanitize-recover=all"
LIBS="-lopenblas -lutf8proc -lm -lpthread"

command -v "$CLANG" >/dev/null 2>&1 || { echo "fuzz: $CLANG not found (install clang and libclang-rt-dev)" >&2; exit 2; }
mkdir -p "$out/obj" || exit 2

# ---- build --------------------------------------------------------------------------------
objs=""
for src in src/*/*.c; do
    obj=$out/obj/$(echo "$src" | sed "s,^src/,,; s,/,_,g; s,\.c$,.o,")
    objs="$objs $obj"
    # rebuild when the source or any header is newer than the object
    if [ ! -f "$obj" ] || [ -n "$(find "$src" src/*/*.h -newer "$obj" 2>/dev/null | head -n 1)" ]; then
        $CLANG $CFLAGS -fsanitize=fuzzer-no-link -c -o "$obj" "$src" || exit 2
    fi
done
for t in $targets; do
    [ -f "tests/fuzz_$t.c" ] || { echo "fuzz: no target tests/fuzz_$t.c" >&2; exit 2; }
    $CLANG $CFLAGS -fsanitize=fuzzer -o "$out/fuzz_$t" "tests/fuzz_$t.c" $objs $LIBS || exit 2
done

# ---- seeds --------------------------------------------------------------------------------
seeds=$out/seeds
rm -rf "$seeds"
mkdir -p "$seeds/corpus" "$seeds/tokenize" "$seeds/model_file" "$seeds/bpe"
data=""
for f in data/corpus.tsv data/dev.tsv; do [ -s "$f" ] && data="$data $f"; done
if [ -n "$data" ]; then
    i=0
    for f in $data; do   # chunks of 25 lines, and one line alone
        j=0
        while [ $j -lt 8 ]; do
            sed -n "$((j * 25 + 1)),$((j * 25 + 25))p" "$f" > "$seeds/corpus/$i-$j.tsv"
            j=$((j + 1))
        done
        head -n 1 "$f" > "$seeds/corpus/$i-one.tsv"
        i=$((i + 1))
    done
    set -- $data
    n=0
    head -n 40 "$1" | while IFS="$(printf '\t')" read -r en zh rest; do
        n=$((n + 1))
        printf '\000%s' "$en" > "$seeds/tokenize/en-$n"
        printf '\001%s' "$zh" > "$seeds/tokenize/zh-$n"
        printf '\003%s' "$(printf '%s' "$en" | sed 's/\([[:punct:]]\)/ \1 /g')" > "$seeds/tokenize/detok-$n"
        printf '\002%s' "$en" > "$seeds/bpe/en-$n"
        printf '\001%s' "$zh" > "$seeds/bpe/zh-$n"
    done
fi
printf 'Hello, world!\t你好，世界！\n\357\273\277BOM\tline\r\nno tab\n\t\nx\ty\tz\n' > "$seeds/corpus/mixed.tsv"
printf '\000I don'"'"'t know. It costs $5.50, isn'"'"'t it? "Hi." U.S. 3,000 10:30 ...' > "$seeds/tokenize/en-0"
printf '\001我有3个iPhone，你呢？现在是10:30，价格3,000元……「好」' > "$seeds/tokenize/zh-0"
printf '\002\006\000\000\000<pad>\000<unk>\000<s>\000</s>\000a\000b\000' > "$seeds/tokenize/vocab-0"
printf '\003He said , " Hi . " ( yes ) $ 5 don n'"'"'t' > "$seeds/tokenize/detok-0"
# BPE models (version 1, flags, 2 characters a and a-final, merges aa and aa+a-final), units
printf '\000\001\000\000\000\001\000\000\000\002\000\000\000\002\000\000\000a\000\000\000a\000\000\200\000\002\000\000\000\002\000\000\002\002\000\000\001\002\000\000' > "$seeds/bpe/model-0"
printf '\000\001\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000' > "$seeds/bpe/model-empty"
printf '\003ab\357\271\253 c <unk> \342\214\251E4\342\214\252\357\271\253 \342\214\251FF\342\214\252 \344\270\255\345\233\275\357\271\253 \344\272\272' > "$seeds/bpe/join-0"
# a tiny model: a few hundred parameters, so that each parse is quick
if [ -x ./seqtrans ] && [ -n "$data" ]; then
    set -- $data
    head -n 60 "$1" > "$out/seed.tsv"
    for enc in bi uni; do
        ./seqtrans train "$out/seed.tsv" --emb 2 --hidden 2 --encoder $enc --max-vocab 24 --min-count 1 \
            --max-steps 1 --batch 4 --threads 1 -q -o "$seeds/model_file/tiny-$enc.model" 2>/dev/null ||
            echo "fuzz: could not train a seed model; the model_file target starts without one" >&2
    done
    [ -f "$seeds/model_file/tiny-bi.model" ] &&
        head -c 200 "$seeds/model_file/tiny-bi.model" > "$seeds/model_file/truncated.model"
else
    echo "fuzz: no ./seqtrans (run make) or no data/: the model_file target starts without a seed model" >&2
fi
printf 'SEQTRANS\001\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000' \
    > "$seeds/model_file/header-only.model"
printf '"SEQTRANS"\n"<pad>\\x00<unk>\\x00<s>\\x00</s>\\x00"\n"\\x08\\x00\\x00\\x00"\n"\\x01\\x00\\x00\\x00"\n' > "$out/model_file.dict"

# ---- run ------------------------------------------------------------------------------------
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
export OPENBLAS_NUM_THREADS=1
found=0
for t in $targets; do
    mkdir -p "$out/corpus/$t" "$out/artifacts/$t"
    case $t in
        corpus) max_len=16384; dict="" ;;
        tokenize) max_len=4096; dict="" ;;
        model_file) max_len=16384; dict="-dict=$out/model_file.dict" ;;
        bpe) max_len=4096; dict="" ;;
    esac
    echo "fuzz: $t for ${secs}s" >&2
    "./$out/fuzz_$t" "$out/corpus/$t" "$seeds/$t" $dict -max_total_time="$secs" -max_len=$max_len \
        -timeout=20 -rss_limit_mb=2048 -artifact_prefix="$out/artifacts/$t/" -print_final_stats=1 \
        ${FUZZ_FLAGS:-} > "$out/$t.log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$out/$t.log" | tail -n 1)
    if [ $rc -eq 0 ]; then
        echo "fuzz: $t: ${runs:-?} runs in ${secs}s, ${cov:-cov: ?}, no finding"
    else
        found=1
        echo "fuzz: $t: FINDING (exit $rc); log $out/$t.log, input in $out/artifacts/$t/:" >&2
        ls "$out/artifacts/$t" >&2
        grep -v '^#[0-9]' "$out/$t.log" | tail -n 60 >&2
    fi
done
exit $found
