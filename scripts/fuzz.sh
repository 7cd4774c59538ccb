#!/bin/sh
# Fuzzes every parser of untrusted input with libFuzzer: the corpus reader, the tokenizers
# with the vocabulary (de)serializer, the model file loader, the protected-span parser with
# masking and restoring, the training state restore, and the BPE deserializer, segmenter and
# joiner (tests/fuzz_*.c).
#
# usage: scripts/fuzz.sh [SECONDS] [TARGET...]
#   SECONDS  run time per target (default 60); TARGET: corpus, tokenize, model_file, spans,
#            checkpoint, bpe (default all six, one after the other)
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
case "$secs" in ''|*[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS] [corpus|tokenize|model_file|spans|checkpoint|bpe ...]" >&2; exit 2 ;; esac
[ $# -gt 0 ] && shift
targets=${*:-corpus tokenize model_file spans checkpoint bpe}

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
mkdir -p "$seeds/corpus" "$seeds/tokenize" "$seeds/model_file" "$seeds/spans" "$seeds/checkpoint" "$seeds/bpe"
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
        printf '\001%s\t%s' "$en" "$zh" > "$seeds/spans/pair-$n"
        printf '\002%s' "$en" > "$seeds/bpe/en-$n"
        printf '\001%s' "$zh" > "$seeds/bpe/zh-$n"
    done
fi
# spans: LINE or LINE<TAB>TRANSLATION after a language byte (0 English, 1 Chinese); \356\200\20x
# is placeholder x (U+E00x)
n=0
while IFS= read -r line; do   # each line is a printf format: its escapes become bytes
    n=$((n + 1))
    printf "$line" > "$seeds/spans/made-$n"
done <<'EOF'
\000Open the `MainActivity.kt` file in `res/menu`, see [Chapter 24](ch24.html "Chapter 24. Design").
\001Visit [http://store.steampowered.com/app/398710/](http://store.steampowered.com/app/398710/).\t可以在[http://store.steampowered.com/app/398710/](http://store.steampowered.com/app/398710/)找到。
\000Use `` a`b `` and ` unbalanced, ```x``` then https://en.wikipedia.org/wiki/Foo_(bar).
\001Mail copyright@packt.com or www.packtpub.com; edit /usr/bin/x, ./a/b, ~/.bashrc, C:\\x\\y.txt.\t通用的自旋锁/rwlock声明，在/usr/bin中，src/main.c和and/or 1/2
\000Call `f` before `g`.\t在\356\200\202之前调用\356\200\201\356\200\201和\356\200\203。
\001`kubectl get pods`\t
\000odd \356\200\201 char in `\356\200\202` code ![](img/a.png) cd ../.. and `x`\tcd \356\200\201.
EOF
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
    # a subword model (SBPE and TBPE sections), so that the fuzzer reaches their parser
    ./seqtrans train "$out/seed.tsv" --emb 2 --hidden 2 --subword bpe --vocab-size 200 --max-vocab 60 \
        --min-count 1 --max-steps 1 --batch 4 --threads 1 -q -o "$seeds/model_file/tiny-bpe.model" 2>/dev/null ||
        echo "fuzz: could not train a subword seed model" >&2
    # an int8 model (QI8W section instead of PF32)
    [ -f "$seeds/model_file/tiny-bi.model" ] &&
        ./seqtrans quantize "$seeds/model_file/tiny-bi.model" -o "$seeds/model_file/tiny-int8.model" 2>/dev/null
    # the same model in the version 1 layout (no directory), which is still read
    [ -f "$seeds/model_file/tiny-uni.model" ] && command -v python3 >/dev/null 2>&1 &&
        python3 - "$seeds/model_file/tiny-uni.model" "$seeds/model_file/tiny-v1.model" <<'PY'
import struct, sys
def crc32c(b, crc=0):
    crc ^= 0xffffffff
    for x in b:
        crc ^= x
        for _ in range(8): crc = (crc >> 1) ^ (0x82F63B78 & -(crc & 1))
    return crc ^ 0xffffffff
f = open(sys.argv[1], 'rb').read()
model_len, state_len = struct.unpack_from('<QQ', f, 16)
n = struct.unpack_from('<I', f, 48)[0]
sec = {}
for i in range(n):
    tag, flags, at, length = struct.unpack_from('<4sIQQ', f, 56 + 24 * i)
    sec[tag] = f[at:at + length]
conf = struct.pack('<I', 8) + sec[b'CONF'][4:4 + 32]
part = conf + struct.pack('<Q', len(sec[b'SVOC'])) + sec[b'SVOC'] + struct.pack('<Q', len(sec[b'TVOC'])) + sec[b'TVOC']
part += struct.pack('<Q', len(sec[b'PF32']) // 4)
part += bytes((64 - (48 + len(part)) % 64) % 64) + sec[b'PF32']
state = f[48 + model_len:]
head = b'SEQTRANS' + struct.pack('<IIQQIIQ', 1, 0, len(part), len(state), crc32c(part), crc32c(state), 0)
open(sys.argv[2], 'wb').write(head + part + state)
PY
else
    echo "fuzz: no ./seqtrans (run make) or no data/: the model_file target starts without a seed model" >&2
fi
printf 'SEQTRANS\001\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000' \
    > "$seeds/model_file/header-only.model"
# the training state: as it is (byte 0) or over a valid state (1); an empty and a short one
printf '\001' > "$seeds/checkpoint/valid"
printf '\001\002\000\000\000' > "$seeds/checkpoint/version-2"
printf '\000' > "$seeds/checkpoint/empty"
printf '\000\001\000\000\000\003\000\000\000' > "$seeds/checkpoint/short"
printf '"SEQTRANS"\n"<pad>\\x00<unk>\\x00<s>\\x00</s>\\x00"\n"\\x08\\x00\\x00\\x00"\n"\\x09\\x00\\x00\\x00"\n"\\x01\\x00\\x00\\x00"\n"\\x02\\x00\\x00\\x00"\n"CONF"\n"SVOC"\n"TVOC"\n"PF32"\n"QI8W"\n"SQ8W"\n"\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00"\n' > "$out/model_file.dict"
printf '"`"\n"```"\n"http://"\n"https://"\n"www.a."\n"mailto:"\n"](ch1.html \\"t\\")"\n"@x.org"\n"/usr/"\n"./"\n"../"\n"~/"\n"C:\\\\"\n".c"\n"\\x09"\n"\\xee\\x80\\x81"\n"\\xee\\x80\\xa0"\n' > "$out/spans.dict"

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
        spans) max_len=4096; dict="-dict=$out/spans.dict" ;;
        checkpoint) max_len=4096; dict="" ;;
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
