#!/usr/bin/python3
"""Trains the cart's product embedder on the rendered synthetic domain and exports it to ONNX.

Metric learning: a MobileNetV3-Small backbone (torchvision, random init: no pretrained weights are reachable here)
with a 128-d L2-normalised embedding head, trained with a supervised contrastive loss over P×K batches (32 products ×
2 of their rendered views, half of the products whole brand families: the look-alikes the weight cannot separate).
Products never seen in training are then recognised by nearest neighbour among
enrolment embeddings (the gallery), so new products need photos, not retraining.

Reads the folder `render-dataset.ts` wrote; writes the ONNX model (opset 17, input `image` [batch,3,96,96] float32
NCHW RGB normalised with MEAN/STD after /255, output `embedding` [batch,128]) with the self-test's reference inputs
and expected outputs in its metadata_props, and `training.json` (the recipe and how long it took).

Run with Debian's interpreter (python3-torch, python3-torchvision, python3-onnx):
  /usr/bin/python3 models/product-embedder/train.py DATA_DIR OUT_DIR [--steps N] [--threads N]
`npm run model:train` renders the data, runs this and evaluates the result.
"""
import argparse
import base64
import json
import os
import time

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]
SELF_TEST_PROPS = {"inputs": "cartfleet.selftest.inputs", "outputs": "cartfleet.selftest.outputs"}


class Embedder(nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        backbone = torchvision.models.mobilenet_v3_small(weights=None)
        self.features = backbone.features
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Sequential(nn.Linear(576, 512), nn.BatchNorm1d(512), nn.Hardswish(), nn.Dropout(0.1), nn.Linear(512, dim))

    def forward(self, x):
        x = self.pool(self.features(x)).flatten(1)
        return F.normalize(self.head(x), dim=1)


def supcon_loss(embeddings, labels, temperature: float):
    """Supervised contrastive loss (Khosla et al. 2020) over a P×K batch: each image's positives are the other views of
    its product, its negatives every other image of the batch. No per-class weight table, so it learns from a few
    views of many products from the first step, where a classifier's margin loss (CosFace) barely moves from random
    initialisation on 2,400 classes of 16 images."""
    sim = embeddings @ embeddings.T / temperature
    n = sim.shape[0]
    eye = torch.eye(n, dtype=torch.bool)
    sim = sim.masked_fill(eye, float("-inf"))
    log_prob = sim - torch.logsumexp(sim, dim=1, keepdim=True)
    positives = (labels[:, None] == labels[None, :]) & ~eye
    return -(log_prob.masked_fill(~positives, 0).sum(1) / positives.sum(1)).mean()


def preprocess(batch_u8: np.ndarray) -> torch.Tensor:
    """uint8 [n, h, w, 3] RGB → float32 [n, 3, h, w], the manifest's preprocessing (the cart does the same)."""
    x = torch.from_numpy(np.ascontiguousarray(batch_u8)).permute(0, 3, 1, 2).float().mul_(1 / 255)
    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    return (x - mean) / std


def augment(x: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
    """What the renderer already varies is not repeated here: quarter turns (the camera looks straight down) and a
    small random crop back to size."""
    n, _, h, w = x.shape
    x = torch.rot90(x, int(rng.integers(0, 4)), dims=(2, 3))
    # The store's light on top of what was rendered: brightness and a colour cast per image (a warm or cold lamp),
    # applied to the pixel values (un-normalise, gain, clamp, normalise again).
    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    gain = torch.from_numpy(rng.uniform(0.7, 1.25, size=(n, 1, 1, 1)) * rng.uniform(0.82, 1.12, size=(n, 3, 1, 1))).float()
    x = ((x * std + mean) * gain).clamp(0, 1)
    x = (x - mean) / std
    pad = 6
    padded = F.pad(x, (pad, pad, pad, pad), mode="reflect")
    out = torch.empty_like(x)
    for i in range(n):
        dy, dx = rng.integers(0, 2 * pad + 1, size=2)
        out[i] = padded[i, :, dy:dy + h, dx:dx + w]
    return out


def fix_output_shape(proto, dim: int):
    """torch's exporter loses the embedding's static size through the L2 normalisation (it names the dimension
    `Divembedding_dim_1`); the runtime's metadata check wants [batch, dim], so the graph output says it."""
    dims = proto.graph.output[0].type.tensor_type.shape.dim
    dims[1].ClearField("dim_param")
    dims[1].dim_value = dim


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("data")
    parser.add_argument("out")
    parser.add_argument("--steps", type=int, default=4800)
    parser.add_argument("--products-per-batch", type=int, default=32)
    parser.add_argument("--views-per-product", type=int, default=2)
    parser.add_argument("--temperature", type=float, default=0.1)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    dataset = json.load(open(os.path.join(args.data, "dataset.json")))
    size = dataset["inputSize"]
    labels = np.fromfile(os.path.join(args.data, "train-labels.i32"), dtype="<i4")
    images = np.memmap(os.path.join(args.data, "train-images.u8"), dtype=np.uint8, mode="r", shape=(len(labels), size, size, 3))
    classes = int(labels.max()) + 1
    images = np.array(images)  # ~1 GB: in memory, random batches are then cheap

    model = Embedder(args.dim)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=5e-4)
    total = args.steps
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, total_steps=total, pct_start=0.1)
    views = dataset["train"]["viewsPerProduct"]
    P, K = args.products_per_batch, args.views_per_product

    # Brand families are `familySize` consecutive products: look-alikes that share a weight class and a shelf, the
    # ones the weight and the zone cannot tell apart. Half of each batch is whole families (the hard negatives the
    # cart meets), the other half products drawn across the catalogue.
    family_size = int(dataset.get("familySize", 1))
    families = classes // family_size
    whole = (P // 2) // family_size if family_size > 1 else 0

    started = time.time()
    log = []
    running = 0.0
    model.train()
    for step in range(1, total + 1):
        # P products, K of each one's rendered views (P×K sampling).
        chosen = rng.choice(families, whole, replace=False) if whole > 0 else np.array([], dtype=np.int64)
        in_families = (chosen[:, None] * family_size + np.arange(family_size)[None, :]).reshape(-1)
        rest = np.setdiff1d(np.arange(classes), in_families, assume_unique=True)
        products = np.concatenate([in_families, rng.choice(rest, P - len(in_families), replace=False)])
        idx = np.concatenate([p * views + rng.choice(views, K, replace=False) for p in products])
        x = augment(preprocess(images[idx]), rng)
        y = torch.from_numpy(labels[idx].astype(np.int64))
        loss = supcon_loss(model(x), y, args.temperature)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        running += loss.item()
        if step % 50 == 0:
            elapsed = time.time() - started
            log.append({"step": step, "loss": round(running / 50, 4)})
            print(f"step {step}/{total} loss {running / 50:.3f} {elapsed:.0f}s (eta {elapsed / step * (total - step):.0f}s)",
                  flush=True)
            running = 0.0
    train_seconds = time.time() - started

    model.eval()
    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, "product-embedder.onnx")
    dummy = torch.zeros(1, 3, size, size)
    torch.onnx.export(model, dummy, onnx_path, opset_version=17, input_names=["image"], output_names=["embedding"],
                      dynamic_axes={"image": {0: "batch"}, "embedding": {0: "batch"}}, do_constant_folding=True)

    refs_u8 = np.fromfile(os.path.join(args.data, "reference-images.u8"), dtype=np.uint8)
    refs = preprocess(refs_u8.reshape(-1, size, size, 3))
    with torch.no_grad():
        expected = model(refs).numpy().astype("<f4")
    proto = onnx.load(onnx_path)
    fix_output_shape(proto, args.dim)
    onnx.helper.set_model_props(proto, {
        SELF_TEST_PROPS["inputs"]: base64.b64encode(refs.numpy().astype("<f4").tobytes()).decode(),
        SELF_TEST_PROPS["outputs"]: base64.b64encode(expected.tobytes()).decode(),
    })
    onnx.checker.check_model(proto)
    onnx.save(proto, onnx_path)

    recipe = {
        "architecture": "MobileNetV3-Small (torchvision, random init) + Linear 576→512, BatchNorm, Hardswish, Dropout 0.1, Linear 512→%d, L2 normalisation" % args.dim,
        "loss": {"kind": "supervised contrastive (SupCon)", "temperature": args.temperature},
        "sampling": {"productsPerBatch": P, "viewsPerProduct": K, "wholeFamiliesPerBatch": whole, "familySize": family_size},
        "optimizer": {"kind": "AdamW", "lr": args.lr, "weightDecay": 5e-4, "schedule": "one-cycle, 10% warm-up"},
        "steps": total, "seed": args.seed, "threads": args.threads,
        "augmentation": "quarter turns, brightness x0.7-1.25 and a per-channel colour cast x0.82-1.12, reflect-pad 6 px and random crop (all other nuisances are rendered)",
        "classes": classes, "images": int(len(labels)), "lossEvery50Steps": log,
        "trainSeconds": round(train_seconds), "torch": torch.__version__, "torchvision": torchvision.__version__,
        "onnx": onnx.__version__, "opset": 17, "referenceImages": int(refs.shape[0]),
    }
    with open(os.path.join(args.out, "training.json"), "w") as f:
        json.dump(recipe, f, indent=2)
        f.write("\n")
    print(f"trained in {train_seconds:.0f} s; wrote {onnx_path}", flush=True)


if __name__ == "__main__":
    main()
