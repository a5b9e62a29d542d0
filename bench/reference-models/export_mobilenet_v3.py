#!/usr/bin/python3
"""Exports the reference graph the embedder benchmark compares against: torchvision's MobileNetV3-Large at 224×224
(random weights: latency does not depend on them, and no pretrained weights are reachable here), opset 17, batch 1.
The issue's own yardstick is "MobileNetV3-Large measured 7.5 ms p50 with onnxruntime-node on this machine".
Usage: /usr/bin/python3 bench/reference-models/export_mobilenet_v3.py OUT.onnx
"""
import sys

import torch
import torchvision

model = torchvision.models.mobilenet_v3_large(weights=None).eval()
torch.onnx.export(model, torch.zeros(1, 3, 224, 224), sys.argv[1], opset_version=17, input_names=["image"],
                  output_names=["logits"], dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}})
print(f"wrote {sys.argv[1]}")
