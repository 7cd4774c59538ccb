#!/usr/bin/python3
"""torch_speed: greedy translation speed of a seqtrans model rebuilt in PyTorch.

Usage (optional, not part of `make test`; scripts/bench_torch.sh runs it):

    /usr/bin/python3 scripts/torch_speed.py MODEL SOURCES.txt [--out IDS.txt]
        [--compare SEQTRANS_OUT.txt] [--batch 64] [--reps 3] [--threads 2] [--dump DIR]

MODEL is a float seqtrans model; SOURCES.txt one source sentence a line. The weights come
from build/dump_model as in scripts/torch_check.py (whose TorchSeq2Seq is the model run
here); --dump DIR keeps that dump and reuses it when DIR already holds one. The sources are
turned into ids by `seqtrans tokenize -m MODEL --side src --ids`, cut to 200 tokens as
`seqtrans translate` cuts them.

Greedy search is seqtrans's (src/search/decode.c): the encoder runs once per batch, then
the decoder steps from <s>, attends, takes the argmax over all tokens but <pad> and <s>,
and a sentence ends at </s> or after 2 * source length + 10 tokens. Sentences are sorted by
length and decoded in batches of --batch, each batch stepping until all its sentences ended,
with torch.set_num_threads(--threads), in eval mode under torch.inference_mode(), and
OMP_WAIT_POLICY=PASSIVE unless the environment sets it (see below: far faster under load).

Prints, per repetition, the wall time of decoding the whole file (after one untimed warm-up
batch; model loading and tokenizing are not timed), then the median as
    torch_speed: batch B: N sentences, median T s, R sent/s
--out writes the output token ids (no </s>), one line per source line. --compare FILE
detokenizes the outputs (<unk> left out) with `seqtrans tokenize --detok` and prints the
share of lines identical to FILE, e.g. the output of `seqtrans translate --beam 1`: float
rounding can flip an argmax now and then, so agreement need not be complete.
Exit status: 0 done, 2 usage or setup error.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

# Before torch loads libgomp: with its default (spinning) wait policy, 2 OpenMP threads on
# a loaded 2-core machine made each decoder step about 10x slower (nn.LSTM step at batch
# 64: 55-90 ms against 4 ms passive). Measure PyTorch at its best; an explicit
# OMP_WAIT_POLICY in the environment is kept.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_check as tc  # noqa: E402  (exits with a message when torch is missing)
from torch_check import torch  # noqa: E402

PAD, UNK, BOS, EOS = 0, 1, 2, 3        # src/text/vocab.h
MAX_SRC_TOKENS = 200                   # TRANSLATOR_MAX_SRC_TOKENS


def max_len(src_len):
    return 2 * src_len + 10            # decode_max_len, src/search/decode.c


def load_model(model_path, pairs, dump_dir):
    """The model as TorchSeq2Seq in float32, from dump_dir's dump (made there if absent)."""
    if not os.path.isfile(os.path.join(dump_dir, "index.json")):
        exe = tc.build_dumper()
        pair_file = os.path.join(dump_dir, "pairs.tsv")
        with open(pair_file, "w", encoding="utf-8") as f:
            f.writelines(l + "\n" for l in tc.pick_pairs(pairs, 2))
        r = subprocess.run([exe, model_path, pair_file, dump_dir])
        if r.returncode:
            tc.fail_setup(f"dump_model failed (exit {r.returncode})")
    cfg, _, weights, _ = tc.load_dump(dump_dir)
    return cfg, tc.TorchSeq2Seq(cfg, weights).to(torch.float32).eval()


def seqtrans_lines(seqtrans, args, text):
    r = subprocess.run([seqtrans] + args, input=text, capture_output=True, text=True)
    if r.returncode:
        tc.fail_setup(f"{' '.join([seqtrans] + args)}: {r.stderr.strip()}")
    return r.stdout.split("\n")[:-1]


def source_ids(seqtrans, model_path, src_path):
    with open(src_path, encoding="utf-8") as f:
        text = f.read()
    lines = seqtrans_lines(seqtrans, ["tokenize", "-m", model_path, "--side", "src", "--ids"], text)
    return [[int(x) for x in l.split()][:MAX_SRC_TOKENS] for l in lines]


def greedy_batch(model, sents):
    """Greedy outputs (lists of ids, </s> left out) of the non-empty id lists sents."""
    B = len(sents)
    lens = torch.tensor([len(s) for s in sents], dtype=torch.long)
    src = torch.full((int(lens.max()), B), PAD, dtype=torch.long)
    for b, s in enumerate(sents):
        src[:len(s), b] = torch.tensor(s, dtype=torch.long)
    enc, state = model.encode(src, lens)
    keys = model.attention_keys(enc)
    limit = max_len(lens)
    prev = torch.full((1, B), BOS, dtype=torch.long)
    done = torch.zeros(B, dtype=torch.bool)
    steps = []
    for t in range(int(limit.max())):
        dec, state = model.dec(model.tgt_emb(prev), state)
        logits = model.output(dec, enc, keys, lens)[0]
        logits[:, PAD] = logits[:, BOS] = float("-inf")
        tok = logits.argmax(dim=-1).masked_fill(done, PAD)
        steps.append(tok)
        done |= (tok == EOS) | (t + 1 >= limit)
        if bool(done.all()):
            break
        prev = tok[None, :]
    out = torch.stack(steps, dim=1).tolist()  # [B][T]
    return [row[:next((t for t, x in enumerate(row) if x in (PAD, EOS)), len(row))] for row in out]


def translate_all(model, ids, batch):
    """Greedy outputs of every line of ids, in order; empty lines stay empty."""
    order = sorted((i for i in range(len(ids)) if ids[i]), key=lambda i: (len(ids[i]), i))
    out = [[] for _ in ids]
    for k in range(0, len(order), batch):
        chunk = order[k:k + batch]
        for i, o in zip(chunk, greedy_batch(model, [ids[i] for i in chunk])):
            out[i] = o
    return out


def agreement(seqtrans, model_path, outputs, compare_path):
    ids_text = "".join(" ".join(str(x) for x in o if x != UNK) + "\n" for o in outputs)
    ours = seqtrans_lines(seqtrans, ["tokenize", "-m", model_path, "--side", "tgt", "--ids", "--detok"],
                          ids_text)
    with open(compare_path, encoding="utf-8") as f:
        theirs = [l.rstrip("\n") for l in f]
    if len(theirs) != len(ours):
        tc.fail_setup(f"'{compare_path}' has {len(theirs)} lines, the sources {len(ours)}")
    same = sum(a == b for a, b in zip(ours, theirs))
    return same, len(ours)


def main():
    ap = argparse.ArgumentParser(description="greedy translation speed of a seqtrans model in PyTorch")
    ap.add_argument("model")
    ap.add_argument("sources")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", help="write the output ids here")
    ap.add_argument("--compare", help="seqtrans translate --beam 1 output to compare with")
    ap.add_argument("--dump", help="keep (or reuse) the weight dump in this directory")
    ap.add_argument("--pairs", default=os.path.join(tc.ROOT, "data", "corpus.tsv"),
                    help="sentence pairs for dump_model's batch (data/corpus.tsv)")
    ap.add_argument("--seqtrans", default=os.path.join(tc.ROOT, "seqtrans"))
    a = ap.parse_args()
    if a.batch < 1 or a.reps < 1 or a.threads < 1:
        ap.error("--batch, --reps and --threads must be positive")
    for path in (a.model, a.sources, a.seqtrans):
        if not os.path.exists(path):
            tc.fail_setup(f"cannot open '{path}'")
    torch.set_num_threads(a.threads)
    with tempfile.TemporaryDirectory(prefix="torch_speed.") as tmp:
        dump_dir = a.dump or tmp
        os.makedirs(dump_dir, exist_ok=True)
        cfg, model = load_model(a.model, a.pairs, dump_dir)
    ids = source_ids(a.seqtrans, a.model, a.sources)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"OMP_WAIT_POLICY={os.environ['OMP_WAIT_POLICY']}; model {cfg.get('cell', 'lstm')} "
          f"emb {cfg['emb']} hidden {cfg['hidden']} layers {cfg['layers']}, "
          f"{cfg['src_lang']}->{cfg['tgt_lang']}; {len(ids)} sentences, batch {a.batch}")
    times = []
    with torch.inference_mode():
        translate_all(model, ids[:a.batch], a.batch)  # warm-up: first-call allocations
        for _ in range(a.reps):
            t0 = time.perf_counter()
            outputs = translate_all(model, ids, a.batch)
            times.append(time.perf_counter() - t0)
            print(f"torch_speed: run {len(times)}: {times[-1]:.3f} s", flush=True)
    med = statistics.median(times)
    print(f"torch_speed: batch {a.batch}: {len(ids)} sentences, median {med:.3f} s, "
          f"{len(ids) / med:.1f} sent/s")
    if a.out:
        with open(a.out, "w") as f:
            f.writelines(" ".join(map(str, o)) + "\n" for o in outputs)
    if a.compare:
        same, n = agreement(a.seqtrans, a.model, outputs, a.compare)
        print(f"torch_speed: {same} of {n} lines ({100 * same / max(n, 1):.1f}%) identical to '{a.compare}'")
    return 0


if __name__ == "__main__":
    sys.exit(main())
