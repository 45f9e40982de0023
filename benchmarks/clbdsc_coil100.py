"""Paper 000, section 4.3: CLBDSC (ContrastiveMiniBatchDSC) with ResNet-18 on COIL-100.

The paper's setting (the defaults): 128x128 RGB, all 7,168 views, ImageNet
ResNet-18 encoder, objects augmentations (Table 2), 80 epochs of fine-tuning
at learning rate 5e-5, alpha = beta = 1, on a GPU. The paper does not give
the batch size, temperature or number of C-only epochs of section 4.3; the
values here (256 as its COIL-100 batch in section 4.2, 0.5, 20) were fixed
before any run. Target (Table 3): ACC 0.829, NMI 0.964.

    python benchmarks/clbdsc_coil100.py                      # paper setting, CUDA
    python benchmarks/clbdsc_coil100.py --images-per-object 12 --size 64 \\
        --epochs 2 --device cpu --weights none               # reduced CPU check

Without ImageNet weights (``--weights none``) the ResNet starts random;
``--encoder-pretrain-epochs`` then adds the contrastive pre-training stage
that the ORL/COIL-20 presets use (see ``deepsubspace.presets``).

The data directory comes from DEEPSUBSPACE_DATA (for example
../shared/datasets). ImageNet weights are downloaded once (sha256-checked)
into torch hub's cache unless ``--weights`` is ``none`` or a local path.
One JSON file per configuration is written to benchmarks/results/.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import RESULTS, machine, peak_rss_bytes, save_results  # noqa: E402


def subsample(labels, per_class):
    """Indices of ``per_class`` evenly spaced views of every class (all if None)."""
    import numpy as np

    if per_class is None:
        return np.arange(len(labels))
    keep = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        take = np.unique(np.linspace(0, len(members) - 1, min(per_class, len(members))).round().astype(int))
        keep.append(members[take])
    return np.concatenate(keep)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images-per-object", type=int, default=None,
                        help="evenly spaced views per object (default: all 72)")
    parser.add_argument("--size", type=int, default=128, help="image side (default 128)")
    parser.add_argument("--epochs", type=int, default=80, help="fine-tuning epochs (default 80)")
    parser.add_argument("--pretrain-epochs", type=int, default=20,
                        help="C-only epochs with the encoder frozen (default 20)")
    parser.add_argument("--encoder-pretrain-epochs", type=int, default=0,
                        help="contrastive pre-training epochs of the encoder at 1e-3 (default 0, the "
                             "paper's: its ImageNet encoder is fine-tuned directly)")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--temperature", type=float, default=0.5)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--weights", default="imagenet",
                        help="'imagenet' (download once), 'none' (random init) or a state-dict path")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=None, help="torch intra-op threads")
    parser.add_argument("--output", default=None, help="JSON path (default: derived from the settings)")
    args = parser.parse_args(argv)

    import numpy as np
    import torch

    from deepsubspace import ContrastiveMiniBatchDSC
    from deepsubspace.affinity import affinity_from_coefficients, spectral_labels
    from deepsubspace.datasets import load_dataset
    from deepsubspace.metrics import clustering_accuracy, normalized_mutual_info_score

    if args.threads:
        torch.set_num_threads(args.threads)
    data = load_dataset("coil100", color=True, image_size=args.size)
    keep = subsample(data.target, args.images_per_object)
    X, y = data.data[keep], data.target[keep]
    weights = None if args.weights == "none" else args.weights
    params = dict(
        n_clusters=100, input_shape=data.image_shape, encoder="resnet18",
        encoder_params={"weights": weights}, augmentation="objects",
        batch_size=args.batch_size, encoder_pretrain_epochs=args.encoder_pretrain_epochs,
        pretrain_learning_rate=1e-3, pretrain_epochs=args.pretrain_epochs, max_epochs=args.epochs,
        learning_rate=5e-5, lr_scaling="none", coef_learning_rate=1e-3, alpha=1.0, beta=1.0,
        temperature=args.temperature, device=args.device, random_state=args.seed, verbose=1,
    )
    model = ContrastiveMiniBatchDSC(**params)
    if args.device.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats(args.device)
    start = time.perf_counter()
    model.fit(X)
    seconds = time.perf_counter() - start

    scores = {}
    for name in ("none", "dsc"):
        if name == "none":
            labels = model.labels_
        else:
            affinity = affinity_from_coefficients(model.coef_, post_processing="dsc", n_clusters=100)
            labels = spectral_labels(affinity, 100, random_state=args.seed)
        scores[name] = {"acc": float(clustering_accuracy(y, labels)),
                        "nmi": float(normalized_mutual_info_score(y, labels))}

    info = machine(args.device)
    info["description"] = (torch.cuda.get_device_name(args.device) if args.device.startswith("cuda")
                           else f"{os.cpu_count()}-core CPU, shared")
    result = {
        "benchmark": "CLBDSC (ContrastiveMiniBatchDSC) on COIL-100, paper 000 section 4.3 / Table 3",
        "paper_target": {"acc": 0.829, "nmi": 0.964},
        "reduced": not (args.images_per_object is None and args.size == 128 and args.epochs == 80
                        and weights == "imagenet"),
        "machine": info,
        "data": {"n_samples": int(len(X)), "n_classes": int(len(np.unique(y))),
                 "image_shape": list(data.image_shape),
                 "images_per_object": args.images_per_object},
        "params": {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items()},
        "scores": scores,
        "fit_seconds": seconds,
        "stage_seconds": getattr(model, "stage_seconds_", None),
        "loss_curve": model.loss_curve_,
        "embedding_mean_norm": float(np.linalg.norm(model.embedding_, axis=1).mean()),
        "peak_rss_bytes": peak_rss_bytes(),
        "peak_gpu_bytes": (int(torch.cuda.max_memory_allocated(args.device))
                           if args.device.startswith("cuda") else None),
    }
    pre = f"_{args.encoder_pretrain_epochs}pre" if args.encoder_pretrain_epochs else ""
    output = args.output or os.path.join(
        RESULTS, f"clbdsc_coil100_{args.images_per_object or 'all'}per_{args.size}px{pre}_"
                 f"{args.epochs}ep_{args.device.split(':')[0]}.json")
    save_results(output, result)
    print(f"ACC {scores['none']['acc']:.3f} NMI {scores['none']['nmi']:.3f} "
          f"(dsc post-processing: ACC {scores['dsc']['acc']:.3f} NMI {scores['dsc']['nmi']:.3f}) "
          f"in {seconds:.0f}s, peak RSS {result['peak_rss_bytes'] / 2**20:.0f} MiB -> {output}")


if __name__ == "__main__":
    main()
