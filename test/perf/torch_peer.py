"""PyTorch CPU peer of one ZIPP encoder training step (the benchmark's baseline).

Reads the shared step config written by test/perf/training-throughput.ts (--shapes FILE): the model
(hidden, heads, layers, features, vocabulary, propagation, negatives, temperature, learning rate), the
training graph's size and the real shapes of the timed steps (users per step, padded list width, real
slots, communities in the step, logit columns). It builds the same GATv2 step as models/encoder/gatv2.ts
and trainer.ts — community states (+ co-membership propagation), per-layer LayerNorm + source values,
the user's attention over its padded slots, residual updates, L2-normalised heads, InfoNCE logits with the
community prior, the fused softmax cross-entropy, Adam — on random values of those shapes (the speed of
dense CPU kernels does not depend on the values), and prints one JSON line:
  {"edgesPerSecond", "stepsPerSecond", "steps", "peakRssMiB", "torch", "threads"}.
Run: python3 test/perf/torch_peer.py SHAPES.json   (Debian's python3-torch; one intra-op thread unless
ZIPP_TORCH_THREADS says otherwise, like the single-threaded TensorFlow.js wasm backend in Node).
"""
import json
import os
import resource
import sys
import time

import torch
import torch.nn.functional as F


def main() -> None:
    shared = json.load(open(sys.argv[1]))
    threads = int(os.environ.get("ZIPP_TORCH_THREADS", "1"))
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    H, heads, layers = shared["hidden"], shared["heads"], shared["layers"]
    V, Fd = shared["vocabulary"], shared["featureDim"]
    tau, P = shared["temperature"], shared["propagation"]
    whole = shared["negatives"] == "vocabulary"

    def p(*shape, std=0.05):
        return torch.nn.Parameter(torch.randn(*shape) * std)

    params = {
        "id": p(V, H),
        "bias": p(V),
        "in_b": p(H),
        "init": p(H),
        "uh_w": p(H, H),
        "uh_b": p(H),
        "ch_w": p(H, H),
        "ch_b": p(H),
    }
    if Fd > 0:
        params["in_w"] = p(Fd, H)
    for l in range(layers):
        for name, shape in [("sg", (H,)), ("sb", (H,)), ("dg", (H,)), ("db", (H,)), ("src_w", (H, H)), ("src_b", (H,)),
                            ("dst_w", (H, H)), ("dst_b", (H,)), ("edge_w", (2, H)), ("att", (H,)), ("out_w", (H, H)), ("out_b", (H,))]:
            params[f"{l}.{name}"] = p(*shape)
    features = torch.randn(V, Fd) if Fd > 0 else None
    blocks = torch.zeros(heads, H)
    for k in range(heads):
        blocks[k, k * H // heads:(k + 1) * H // heads] = 1
    opt = torch.optim.Adam(params.values(), lr=shared["learningRate"])

    graph = shared["graph"]
    U, E = graph["users"], graph["edges"]
    # Same sizes as the training graph: E edges over U users (sorted by user) and V communities.
    edge_user = torch.sort(torch.randint(0, U, (E,))).values
    edge_comm = torch.randint(0, V, (E,))
    inv_du = 1 / torch.bincount(edge_user, minlength=U).clamp(min=1).float()[:, None]
    inv_sqrt_dc = 1 / torch.bincount(edge_comm, minlength=V).clamp(min=1).float().sqrt()[:, None]

    def propagate(h):
        out, cur = h, h
        for _ in range(P):
            per_user = torch.zeros(U, H).index_add_(0, edge_user, (cur * inv_sqrt_dc)[edge_comm]) * inv_du
            cur = torch.zeros(V, H).index_add_(0, edge_comm, per_user[edge_user]) * inv_sqrt_dc
            out = out + cur
        return out

    def step(s):
        B, K, Uq, C = s["batch"], s["width"], s["unique"], s["columns"]
        rows = torch.arange(V) if (whole or P > 0) else torch.randint(0, V, (Uq,))
        h_all = params["id"][rows] + params["in_b"]
        if features is not None:
            h_all = h_all + features[rows] @ params["in_w"]
        if P > 0:
            h_all = propagate(h_all)
        hs = h_all if whole else h_all[torch.randint(0, h_all.shape[0], (Uq,))]
        n = hs.shape[0]
        slots = torch.randint(0, n, (B * K,))
        mask = torch.zeros(B, K)
        mask.view(-1)[: s["realEdges"]] = 1  # as many real slots as the real step had
        edges = torch.rand(B, K, 2)
        penalty = ((1 - mask) * -1e9)[:, :, None]
        h = params["init"].expand(B, H) + torch.randn(B, H) * 0.1
        for l in range(layers):
            v = (F.layer_norm(hs, (H,), params[f"{l}.sg"], params[f"{l}.sb"]) @ params[f"{l}.src_w"] + params[f"{l}.src_b"])[slots].view(B, K, H)
            q = F.layer_norm(h, (H,), params[f"{l}.dg"], params[f"{l}.db"]) @ params[f"{l}.dst_w"] + params[f"{l}.dst_b"]
            sc = F.leaky_relu(v + q[:, None] + edges @ params[f"{l}.edge_w"], 0.2)
            logits = sc @ (blocks.t() * params[f"{l}.att"][:, None]) + penalty
            alpha = logits.softmax(1)
            msg = ((alpha @ blocks) * v).sum(1)
            h = h + msg @ params[f"{l}.out_w"] + params[f"{l}.out_b"]
        zu = F.normalize(h @ params["uh_w"] + params["uh_b"], dim=-1)
        zs = F.normalize(hs @ params["ch_w"] + params["ch_b"], dim=-1)
        user_side = torch.cat([zu / tau, torch.ones(B, 1)], 1)
        if whole:
            logits = user_side @ torch.cat([zs, params["bias"][:n, None]], 1).t()
        else:
            cand = torch.randint(0, n, (C,))
            side = torch.cat([zs[cand], params["bias"][cand][:, None]], 1)
            logits = user_side @ side.t()
        logits = logits + torch.zeros_like(logits)  # the per-step constants (mask penalty, logQ)
        targets = torch.zeros_like(logits)
        targets[torch.arange(B), torch.randint(0, logits.shape[1], (B,))] = 1
        loss = (torch.logsumexp(logits, 1) - (logits * targets).sum(1)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()

    steps = shared["steps"]
    for s in steps[: shared.get("warmup", 3)]:
        step(s)
    edges = 0
    t0 = time.perf_counter()
    for s in steps:
        step(s)
        edges += s["realEdges"]
    seconds = time.perf_counter() - t0
    print(json.dumps({
        "edgesPerSecond": edges / seconds,
        "stepsPerSecond": len(steps) / seconds,
        "steps": len(steps),
        "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "torch": torch.__version__,
        "threads": threads,
    }))


if __name__ == "__main__":
    main()
