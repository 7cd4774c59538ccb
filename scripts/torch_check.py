#!/usr/bin/python3
"""torch_check: rebuilds a seqtrans model in PyTorch and checks that its logits agree.

Usage (from anywhere; optional, not part of `make test`):

    apt-get install python3-torch python3-numpy      # Debian's packages, for /usr/bin/python3
    ./seqtrans train data/corpus.tsv --emb 32 --hidden 64 --max-steps 50 -o /tmp/x.model
    /usr/bin/python3 scripts/torch_check.py /tmp/x.model

What it does:
  1. `make build/libseqtrans.a`, then compiles scripts/dump_model.c against it into
     build/dump_model (see that file for the dump format).
  2. Picks --n sentence pairs of spread-out lengths from --pairs (default data/corpus.tsv),
     so the batch has padding on both sides, and runs build/dump_model on them: it writes the
     weights (float32 + a JSON index), the batch as ids and the library's logits [T][B][V].
  3. Builds the same model with torch.nn.LSTM or torch.nn.GRU, as the model's cell is (one
     multi-layer, uni- or bidirectional one for the encoder, run on a pack_padded_sequence;
     one for the decoder, started from the encoder's final states), its own Luong "general"
     attention and output layer, and runs the batch (in float64 unless --dtype float32).
  4. Prints the largest |logit_torch - logit_seqtrans| over the real (non-padded) target
     positions and exits 1 when it exceeds --tol (default 1e-4); it also compares the mean
     teacher-forced negative log-likelihood with the one seq2seq_loss reported.

Options: --pairs FILE.tsv, --n N (default 8), --out DIR (keep the dump there; default a
temporary directory), --dump DIR (check an existing dump, skip steps 1 and 2; handy for
seeing the check fail: scale one tensor of DIR/weights.bin and run again), --tol, --dtype.
Exit status: 0 agreement, 1 disagreement, 2 usage or setup error.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import torch
    from torch import nn
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
except ImportError as err:
    sys.exit(f"torch_check: {err}: install Debian's python3-torch and python3-numpy and run "
             f"this with /usr/bin/python3")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OPENBLAS_INC = "/usr/include/x86_64-linux-gnu/openblas-pthread"


def fail_setup(msg):
    print(f"torch_check: {msg}", file=sys.stderr)
    sys.exit(2)


def build_dumper():
    """make the library, then compile scripts/dump_model.c against it."""
    subprocess.run(["make", "-s", "build/libseqtrans.a"], cwd=ROOT, check=True)
    exe = os.path.join(ROOT, "build", "dump_model")
    subprocess.run(["cc", "-O2", "-std=c11", "-D_GNU_SOURCE", "-Isrc", f"-I{OPENBLAS_INC}",
                    "scripts/dump_model.c", "build/libseqtrans.a", "-lopenblas", "-lutf8proc",
                    "-lm", "-lpthread", "-o", exe], cwd=ROOT, check=True)
    return exe


def pick_pairs(path, n):
    """n usable lines of the TSV at evenly spaced ranks of total length (shortest and
    longest included), in the file's order."""
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = [l.rstrip("\r\n") for l in f]
    usable = [l for l in lines
              if l.count("\t") >= 1 and all(c.strip() for c in l.split("\t")[:2])]
    if not usable:
        fail_setup(f"no sentence pairs in '{path}'")
    ranked = sorted(range(len(usable)), key=lambda i: (len(usable[i]), i))
    n = min(n, len(usable))
    chosen = sorted({ranked[round(k * (len(ranked) - 1) / max(n - 1, 1))] for k in range(n)})
    return [usable[i] for i in chosen]


def load_dump(d):
    for name in ("index.json", "batch.json", "weights.bin", "logits.bin"):
        if not os.path.isfile(os.path.join(d, name)):
            fail_setup(f"no {name} in '{d}': not a dump_model output directory")
    with open(os.path.join(d, "index.json")) as f:
        index = json.load(f)
    with open(os.path.join(d, "batch.json")) as f:
        bt = json.load(f)
    raw = np.fromfile(os.path.join(d, "weights.bin"), dtype="<f4")
    weights = {}
    for t in index["tensors"]:
        count = int(np.prod(t["shape"]))
        start = t["offset"] // 4
        if t["offset"] % 4 or start + count > raw.size:
            fail_setup(f"tensor {t['name']} lies outside weights.bin")
        weights[t["name"]] = torch.from_numpy(raw[start:start + count].reshape(t["shape"]).copy())
    logits = np.fromfile(os.path.join(d, "logits.bin"), dtype="<f4")
    shape = (bt["T"], bt["B"], index["tgt_vocab"])
    if logits.size != np.prod(shape):
        fail_setup(f"logits.bin holds {logits.size} floats, expected {shape}")
    return index, bt, weights, torch.from_numpy(logits.reshape(shape).copy())


class TorchSeq2Seq(nn.Module):
    """The seqtrans model (docs/DESIGN.md) written with PyTorch's own layers."""

    def __init__(self, cfg, w):
        super().__init__()
        E, H, L, bidir = cfg["emb"], cfg["hidden"], cfg["layers"], bool(cfg["bidir"])
        dirs = 2 if bidir else 1
        self.L, self.dirs = L, dirs
        self.cell = cfg.get("cell", "lstm")
        rnn = {"lstm": nn.LSTM, "gru": nn.GRU}.get(self.cell)
        if rnn is None:
            fail_setup(f"unknown cell '{self.cell}'")
        self.src_emb = nn.Embedding.from_pretrained(w["src_emb"], freeze=True)
        self.tgt_emb = nn.Embedding.from_pretrained(w["tgt_emb"], freeze=True)
        self.enc = rnn(E, H // dirs, num_layers=L, bidirectional=bidir)
        self.dec = rnn(E, H, num_layers=L)
        with torch.no_grad():
            for l in range(L):
                for d in range(dirs):
                    self._set_rnn(self.enc, f"_l{l}" + ("_reverse" if d else ""), w, f"enc.{l}.{d}")
                self._set_rnn(self.dec, f"_l{l}", w, f"dec.{l}")
        self.wa = nn.Parameter(w["attn_wa"], requires_grad=False)  # [H x H]
        self.wc = nn.Parameter(w["attn_wc"], requires_grad=False)  # [2H x H]
        self.wo = nn.Parameter(w["out_w"], requires_grad=False)    # [H x V]
        self.bo = nn.Parameter(w["out_b"], requires_grad=False)    # [V]

    @staticmethod
    def _set_rnn(rnn, suffix, w, name):
        # seqtrans: input product x wx + b, recurrent product h wh (+ bh for the GRU), wx
        # [in x G]; gate order i f g o for the LSTM, r z n for the GRU: PyTorch's orders too.
        # PyTorch: x W_ih^T + b_ih and h W_hh^T + b_hh.
        for ours, theirs in (("wx", "weight_ih"), ("wh", "weight_hh")):
            param = getattr(rnn, theirs + suffix)
            src = w[f"{name}.{ours}"].t()
            if param.shape != src.shape:
                fail_setup(f"{name}.{ours}: shape {tuple(src.shape)} does not fit {tuple(param.shape)}")
            param.copy_(src)
        getattr(rnn, "bias_ih" + suffix).copy_(w[f"{name}.b"])
        if f"{name}.bh" in w:
            getattr(rnn, "bias_hh" + suffix).copy_(w[f"{name}.bh"])
        else:
            getattr(rnn, "bias_hh" + suffix).zero_()

    def encode(self, src, src_len):
        """Encoder outputs [S][B][H] (forward | backward halves) and the decoder's initial
        state: the encoder's final states, directions joined, as seqtrans starts it."""
        S, B = src.shape
        packed = pack_padded_sequence(self.src_emb(src), src_len, enforce_sorted=False)
        out, final = self.enc(packed)
        enc, _ = pad_packed_sequence(out, total_length=S)

        def join(state):  # [L*dirs][B][H/dirs] -> [L][B][H], forward half first
            Hd = state.shape[-1]
            return state.view(self.L, self.dirs, B, Hd).permute(0, 2, 1, 3).reshape(self.L, B, self.dirs * Hd)

        if self.cell == "lstm":
            return enc, tuple(join(s).contiguous() for s in final)  # (h, c)
        return enc, join(final).contiguous()

    def attention_keys(self, enc):
        return enc @ self.wa.t()                                   # k_j = Wa s_j

    def output(self, dec, enc, keys, src_len):
        """Logits [T][B][V] of decoder states dec [T][B][H] attending over enc."""
        S = enc.shape[0]
        scores = torch.einsum("tbh,sbh->bts", dec, keys)
        pad = torch.arange(S)[None, :] >= src_len[:, None]         # [B][S]
        attn = torch.softmax(scores.masked_fill(pad[:, None, :], float("-inf")), dim=-1)
        ctx = torch.einsum("bts,sbh->tbh", attn, enc)
        top = torch.tanh(torch.cat([ctx, dec], dim=-1) @ self.wc)  # ht~ [T][B][H]
        return top @ self.wo + self.bo                             # [T][B][V]

    def forward(self, src, src_len, tgt_in):
        enc, init = self.encode(src, src_len)
        dec, _ = self.dec(self.tgt_emb(tgt_in), init)
        return self.output(dec, enc, self.attention_keys(enc), src_len)


def check(dump_dir, tol, dtype):
    cfg, bt, weights, ref = load_dump(dump_dir)
    model = TorchSeq2Seq(cfg, weights).to(dtype).eval()
    src = torch.tensor(bt["src"], dtype=torch.long)
    src_len = torch.tensor(bt["src_len"], dtype=torch.long)
    tgt_in = torch.tensor(bt["tgt_in"], dtype=torch.long)
    tgt_out = torch.tensor(bt["tgt_out"], dtype=torch.long)
    tgt_len = torch.tensor(bt["tgt_len"], dtype=torch.long)
    with torch.no_grad():
        logits = model(src, src_len, tgt_in)
    real = torch.arange(bt["T"])[:, None] < tgt_len[None, :]        # [T][B]
    diff = (logits - ref.to(dtype)).abs()[real]                     # [n][V]
    max_diff = diff.max().item()
    n = int(real.sum())
    row = int(diff.max(dim=1).values.argmax())
    t_idx, b_idx = [int(x) for x in real.nonzero()[row]]
    nll = torch.nn.functional.cross_entropy(logits[real], tgt_out[real], reduction="sum").item()
    nll_diff = abs(nll - bt["nll"]) / n
    print(f"config: {cfg.get('cell', 'lstm')}, emb {cfg['emb']}, hidden {cfg['hidden']}, layers {cfg['layers']}, "
          f"encoder {'bi' if cfg['bidir'] else 'uni'}, vocab {cfg['src_vocab']}/{cfg['tgt_vocab']}, "
          f"{cfg['src_lang']}->{cfg['tgt_lang']}")
    print(f"batch: B={bt['B']} S={bt['S']} T={bt['T']}, {n} real target positions, "
          f"src_len {bt['src_len']}, tgt_len {bt['tgt_len']}")
    print(f"torch {torch.__version__} ({str(dtype).replace('torch.', '')}): "
          f"max |logit| {logits[real].abs().max().item():.4f}")
    print(f"max |logits_torch - logits_seqtrans| = {max_diff:.3e} (at t={t_idx}, b={b_idx}; tolerance {tol:g})")
    print(f"mean nll per token: torch {nll / n:.6f}, seqtrans {bt['nll'] / n:.6f} (diff {nll_diff:.3e})")
    ok = max_diff <= tol and nll_diff <= tol
    print("OK" if ok else "FAILED: PyTorch and seqtrans disagree")
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser(description="check a seqtrans model's logits against PyTorch")
    ap.add_argument("model", nargs="?", help="seqtrans model file")
    ap.add_argument("--pairs", default=os.path.join(ROOT, "data", "corpus.tsv"))
    ap.add_argument("--n", type=int, default=8, help="sentence pairs in the batch (8)")
    ap.add_argument("--out", help="directory for the dump (default: a temporary one)")
    ap.add_argument("--dump", help="check this existing dump instead of making one")
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--dtype", choices=("float64", "float32"), default="float64")
    a = ap.parse_args()
    dtype = torch.float64 if a.dtype == "float64" else torch.float32
    if a.dump:
        return check(a.dump, a.tol, dtype)
    if not a.model:
        ap.error("give a model file, or --dump DIR")
    if not 1 <= a.n <= 64:
        ap.error("--n must be in 1..64")
    if not os.path.exists(a.model):
        fail_setup(f"cannot open '{a.model}'")
    exe = build_dumper()
    with tempfile.TemporaryDirectory(prefix="torch_check.") as tmp:
        out = a.out or tmp
        os.makedirs(out, exist_ok=True)
        pairs = os.path.join(out, "pairs.tsv")
        with open(pairs, "w", encoding="utf-8") as f:
            f.writelines(l + "\n" for l in pick_pairs(a.pairs, a.n))
        r = subprocess.run([exe, a.model, pairs, out])
        if r.returncode:
            fail_setup(f"dump_model failed (exit {r.returncode})")
        return check(out, a.tol, dtype)


if __name__ == "__main__":
    sys.exit(main())
