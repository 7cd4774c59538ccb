#!/bin/sh
# make demo: train a small English -> Chinese model on the bundled corpus (about two
# minutes on two cores), then translate a few sentences it has not seen and score the
# held-out dev set.
set -eu
cd "$(dirname "$0")/.."
model=build/demo.model
mkdir -p build
echo "== training on data/corpus.tsv (2,756 pairs; dev set data/dev.tsv)"
./seqtrans train data/corpus.tsv --dev data/dev.tsv --emb 128 --hidden 256 --epochs 30 \
    --patience 4 -o "$model"
echo
echo "== translating"
printf '%s\n' "I like tea." "Where is my book?" "My mother has 2 cats." \
    "We will go to the park tomorrow." "Tom doesn't want to eat dumplings." |
    tee build/demo.in | ./seqtrans translate -m "$model" > build/demo.out
paste build/demo.in build/demo.out | sed 's/\t/  ->  /'
echo
echo "== scoring data/dev.tsv"
./seqtrans eval -m "$model" data/dev.tsv
