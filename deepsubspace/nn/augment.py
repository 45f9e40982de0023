"""Batched data augmentations with per-sample randomness, for contrastive training.

Every transform takes a batch tensor and returns a new tensor of the same
shape on the same device: images ``(n, C, H, W)`` (float, in ``[0, 1]`` for
the colour transforms) or vectors ``(n, d)``. Unlike a
``torchvision.transforms.v2`` transform applied to a batch tensor, which
draws ONE set of random parameters for the whole batch, each sample here
gets its own crop, flip, jitter factors and order, grayscale draw, noise and
mask. The parameters follow torchvision's conventions (``RandomResizedCrop``
scale and log-uniform ratio, ``ColorJitter`` factor ranges and random order,
ITU-R 601-2 grayscale) and torchvision's functional ops are used where they
apply to a batch as is (:func:`torchvision.transforms.v2.functional.rgb_to_grayscale`,
``horizontal_flip``).

Randomness comes from torch's global generator (``torch.rand`` on the
batch's device), so a fit seeded by the estimator (inside
``torch.random.fork_rng``) is exactly repeatable on CPU.

Ready-made pipelines: :func:`faces_augmentation`, :func:`objects_augmentation`
(Table 2 of Jiang et al., 2025) and :func:`vectors_augmentation`;
:func:`get_augmentation` resolves an estimator's ``augmentation`` parameter.
"""

import math

import torch
import torch.nn.functional as F
from torchvision.transforms.v2 import functional as TF

__all__ = [
    "ColorJitter",
    "Compose",
    "FeatureDropout",
    "GaussianNoise",
    "Grayscale",
    "RandomGrayscale",
    "RandomHorizontalFlip",
    "RandomResizedCrop",
    "augmented_view",
    "faces_augmentation",
    "get_augmentation",
    "objects_augmentation",
    "vectors_augmentation",
]

AUGMENTATION_NAMES = ("faces", "objects")


def _uniform(n, low, high, like):
    """``n`` draws of U(low, high) from the global generator, on ``like``'s device."""
    return low + (high - low) * torch.rand(n, device=like.device, dtype=like.dtype)


def _bernoulli(n, p, like):
    return torch.rand(n, device=like.device) < p


def _per_sample(mask):
    """A boolean per-sample mask broadcastable against an image batch."""
    return mask[:, None, None, None]


def _check_images(x, name):
    if x.ndim != 4:
        raise ValueError(f"{name} expects a batch of images (n, C, H, W), got shape {tuple(x.shape)}.")


class _Transform:
    """Base of the batched transforms: a callable with a readable repr."""

    def __call__(self, x):  # pragma: no cover - abstract
        raise NotImplementedError

    def _params(self):
        return {}

    def __repr__(self):
        params = ", ".join(f"{k}={v!r}" for k, v in self._params().items())
        return f"{type(self).__name__}({params})"


class Compose(_Transform):
    """Apply ``transforms`` in order."""

    def __init__(self, transforms):
        self.transforms = list(transforms)

    def __call__(self, x):
        for transform in self.transforms:
            x = transform(x)
        return x

    def __repr__(self):
        inner = ", ".join(repr(t) for t in self.transforms)
        return f"Compose([{inner}])"


class RandomResizedCrop(_Transform):
    """Crop a random region of each image and resize it back to (H, W).

    As ``torchvision.transforms.v2.RandomResizedCrop(size=(H, W))``: the
    region covers a fraction ``U(scale)`` of the area with an aspect ratio
    drawn log-uniformly from ``ratio``, at a uniform position; sides larger
    than the image are clipped to it (torchvision retries, then falls back to
    a centre crop). Bilinear, one ``grid_sample`` call for the whole batch
    with per-sample affine parameters.
    """

    def __init__(self, scale=(0.8, 1.0), ratio=(3 / 4, 4 / 3)):
        if not (0 < scale[0] <= scale[1] <= 1):
            raise ValueError(f"scale must satisfy 0 < min <= max <= 1, got {scale!r}.")
        if not (0 < ratio[0] <= ratio[1]):
            raise ValueError(f"ratio must satisfy 0 < min <= max, got {ratio!r}.")
        self.scale = tuple(scale)
        self.ratio = tuple(ratio)

    def _params(self):
        return {"scale": self.scale, "ratio": self.ratio}

    def __call__(self, x):
        _check_images(x, "RandomResizedCrop")
        n, _, height, width = x.shape
        area = _uniform(n, *self.scale, x)
        log_ratio = _uniform(n, math.log(self.ratio[0]), math.log(self.ratio[1]), x)
        aspect = torch.exp(log_ratio)
        # crop sides as fractions of the image sides
        w_frac = torch.sqrt(area * aspect * height / width).clamp(max=1.0)
        h_frac = torch.sqrt(area / aspect * width / height).clamp(max=1.0)
        # centre in normalised coordinates [-1, 1], crop fully inside the image
        cx = (2 * torch.rand(n, device=x.device, dtype=x.dtype) - 1) * (1 - w_frac)
        cy = (2 * torch.rand(n, device=x.device, dtype=x.dtype) - 1) * (1 - h_frac)
        theta = torch.zeros(n, 2, 3, device=x.device, dtype=x.dtype)
        theta[:, 0, 0], theta[:, 0, 2] = w_frac, cx
        theta[:, 1, 1], theta[:, 1, 2] = h_frac, cy
        grid = F.affine_grid(theta, list(x.shape), align_corners=False)
        return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)


class RandomHorizontalFlip(_Transform):
    """Mirror each image left-right with probability ``p``."""

    def __init__(self, p=0.5):
        self.p = p

    def _params(self):
        return {"p": self.p}

    def __call__(self, x):
        _check_images(x, "RandomHorizontalFlip")
        flip = _bernoulli(len(x), self.p, x)
        return torch.where(_per_sample(flip), TF.horizontal_flip(x), x)


def _to_gray(x, n_out):
    """ITU-R 601-2 luma of an RGB batch (torchvision's weights), ``n_out`` channels."""
    return TF.rgb_to_grayscale(x, num_output_channels=n_out)


class Grayscale(_Transform):
    """Convert RGB images to gray, keeping 3 channels; other inputs are unchanged."""

    def __call__(self, x):
        _check_images(x, "Grayscale")
        return _to_gray(x, 3) if x.shape[1] == 3 else x


class RandomGrayscale(_Transform):
    """Convert each RGB image to (3-channel) gray with probability ``p``.

    Images with other than 3 channels are returned unchanged.
    """

    def __init__(self, p=0.2):
        self.p = p

    def _params(self):
        return {"p": self.p}

    def __call__(self, x):
        _check_images(x, "RandomGrayscale")
        if x.shape[1] != 3:
            return x
        gray = _to_gray(x, 3)
        return torch.where(_per_sample(_bernoulli(len(x), self.p, x)), gray, x)


def _rgb_to_hsv(rgb):
    r, g, b = rgb.unbind(dim=-3)
    maxc, _ = rgb.max(dim=-3)
    minc, _ = rgb.min(dim=-3)
    delta = maxc - minc
    safe_delta = torch.where(delta > 0, delta, torch.ones_like(delta))
    safe_max = torch.where(maxc > 0, maxc, torch.ones_like(maxc))
    saturation = delta / safe_max
    hue = torch.where(
        maxc == r, ((g - b) / safe_delta) % 6,
        torch.where(maxc == g, (b - r) / safe_delta + 2, (r - g) / safe_delta + 4),
    )
    hue = torch.where(delta > 0, hue / 6, torch.zeros_like(hue)) % 1.0
    return hue, saturation, maxc


def _hsv_to_rgb(hue, saturation, value):
    h6 = hue * 6
    sector = torch.floor(h6)
    f = h6 - sector
    sector = sector.long() % 6
    p = value * (1 - saturation)
    q = value * (1 - saturation * f)
    t = value * (1 - saturation * (1 - f))
    # (r, g, b) of the six sectors of the hue circle
    table = torch.stack([
        torch.stack([value, t, p], dim=-3), torch.stack([q, value, p], dim=-3),
        torch.stack([p, value, t], dim=-3), torch.stack([p, q, value], dim=-3),
        torch.stack([t, p, value], dim=-3), torch.stack([value, p, q], dim=-3),
    ])
    index = sector.unsqueeze(-3).expand_as(table[0]).unsqueeze(0)
    return torch.gather(table, 0, index).squeeze(0)


def _blend(x, other, factor):
    return (factor * x + (1 - factor) * other).clamp(0.0, 1.0)


def adjust_brightness(x, factor):
    """Per-sample ``torchvision`` brightness: ``clamp(factor * x, 0, 1)``; ``factor`` shape (n,)."""
    return (factor.view(-1, 1, 1, 1) * x).clamp(0.0, 1.0)


def adjust_contrast(x, factor):
    """Per-sample contrast: blend with the image's mean gray level (torchvision's rule)."""
    gray = _to_gray(x, 1) if x.shape[1] == 3 else x
    mean = gray.mean(dim=(-3, -2, -1), keepdim=True)
    return _blend(x, mean, factor.view(-1, 1, 1, 1))


def adjust_saturation(x, factor):
    """Per-sample saturation: blend with the grayscale image (RGB only)."""
    if x.shape[1] != 3:
        return x
    return _blend(x, _to_gray(x, 1), factor.view(-1, 1, 1, 1))


def adjust_hue(x, shift):
    """Per-sample hue rotation by ``shift`` in [-0.5, 0.5] of the hue circle (RGB only)."""
    if x.shape[1] != 3:
        return x
    hue, saturation, value = _rgb_to_hsv(x.clamp(0.0, 1.0))
    hue = (hue + shift.view(-1, 1, 1)) % 1.0
    return _hsv_to_rgb(hue, saturation, value)


class ColorJitter(_Transform):
    """Per-sample ``torchvision`` ``ColorJitter(brightness, contrast, saturation, hue)``.

    Each sample draws its own factors (brightness, contrast and saturation in
    ``[1 - v, 1 + v]``, hue shift in ``[-hue, hue]``) and its own random order
    of the four operations, as torchvision does per image. For images with
    other than 3 channels (grayscale) only brightness and contrast apply.
    Inputs are float images in ``[0, 1]``; outputs are clamped to it.
    """

    def __init__(self, brightness=0.4, contrast=0.4, saturation=0.4, hue=0.1):
        for name, value in (("brightness", brightness), ("contrast", contrast),
                            ("saturation", saturation)):
            if not 0 <= value:
                raise ValueError(f"{name} must be >= 0, got {value!r}.")
        if not 0 <= hue <= 0.5:
            raise ValueError(f"hue must be in [0, 0.5], got {hue!r}.")
        self.brightness, self.contrast = brightness, contrast
        self.saturation, self.hue = saturation, hue

    def _params(self):
        return {"brightness": self.brightness, "contrast": self.contrast,
                "saturation": self.saturation, "hue": self.hue}

    def __call__(self, x):
        _check_images(x, "ColorJitter")
        n = len(x)
        rgb = x.shape[1] == 3
        ops = [(adjust_brightness, _uniform(n, 1 - self.brightness, 1 + self.brightness, x)),
               (adjust_contrast, _uniform(n, 1 - self.contrast, 1 + self.contrast, x))]
        if rgb:
            ops += [(adjust_saturation, _uniform(n, 1 - self.saturation, 1 + self.saturation, x)),
                    (adjust_hue, _uniform(n, -self.hue, self.hue, x))]
        order = torch.argsort(torch.rand(n, len(ops), device=x.device), dim=1)
        out = x
        for slot in range(len(ops)):
            result = out.clone()
            for k, (op, factors) in enumerate(ops):
                chosen = torch.nonzero(order[:, slot] == k).flatten()
                if len(chosen):
                    result[chosen] = op(out[chosen], factors[chosen])
            out = result
        return out


class GaussianNoise(_Transform):
    """Add ``N(0, (std * rms(x_i))^2)`` noise to each feature of sample ``x_i``.

    The noise is relative to each sample's root mean square, so it does not
    depend on the scale of the data.
    """

    def __init__(self, std=0.1):
        if std < 0:
            raise ValueError(f"std must be >= 0, got {std!r}.")
        self.std = std

    def _params(self):
        return {"std": self.std}

    def __call__(self, x):
        rms = x.flatten(1).pow(2).mean(dim=1).sqrt().view(-1, *([1] * (x.ndim - 1)))
        return x + self.std * rms * torch.randn_like(x)


class FeatureDropout(_Transform):
    """Set each feature of each sample to zero with probability ``p`` (no rescaling)."""

    def __init__(self, p=0.1):
        if not 0 <= p < 1:
            raise ValueError(f"p must be in [0, 1), got {p!r}.")
        self.p = p

    def _params(self):
        return {"p": self.p}

    def __call__(self, x):
        keep = torch.rand(x.shape, device=x.device) >= self.p
        return x * keep


def faces_augmentation(n_channels=1, scale=(0.8, 1.0)):
    """Table 2 (ORL): random resized crop, horizontal flip, and grayscale for RGB input."""
    transforms = [RandomResizedCrop(scale=scale), RandomHorizontalFlip(0.5)]
    if n_channels == 3:
        transforms.insert(1, Grayscale())
    return Compose(transforms)


def objects_augmentation(n_channels=3, scale=(0.5, 1.0)):
    """Table 2 (COIL-100): random resized crop, colour jitter, random grayscale, flip.

    ``ColorJitter(0.4, 0.4, 0.4, 0.1)`` (brightness and contrast only for
    non-RGB input), ``RandomGrayscale(p=0.2)`` (RGB only),
    ``RandomHorizontalFlip(0.5)``.
    """
    transforms = [RandomResizedCrop(scale=scale), ColorJitter(0.4, 0.4, 0.4, 0.1)]
    if n_channels == 3:
        transforms.append(RandomGrayscale(0.2))
    transforms.append(RandomHorizontalFlip(0.5))
    return Compose(transforms)


def vectors_augmentation(std=0.1, p=0.1):
    """For vector data: relative Gaussian noise (``std``) then feature dropout (``p``)."""
    return Compose([GaussianNoise(std), FeatureDropout(p)])


def get_augmentation(augmentation, input_shape):
    """Resolve an ``augmentation`` parameter into a batched callable.

    Parameters
    ----------
    augmentation : {"auto", "faces", "objects"} or callable
        ``"auto"``: :func:`vectors_augmentation` for vectors,
        :func:`faces_augmentation` for 1-channel images and
        :func:`objects_augmentation` for 3-channel images (crop and flip
        only for other channel counts). A callable is returned as is; it must
        map a batch ``(n, *input_shape)`` to a tensor of the same shape.
    input_shape : tuple
        ``(n_features,)`` or ``(channels, height, width)``.
    """
    if callable(augmentation):
        return augmentation
    input_shape = tuple(input_shape)
    images = len(input_shape) == 3
    if augmentation == "auto":
        if not images:
            return vectors_augmentation()
        n_channels = input_shape[0]
        if n_channels == 1:
            return faces_augmentation(1)
        if n_channels == 3:
            return objects_augmentation(3)
        return Compose([RandomResizedCrop(), RandomHorizontalFlip(0.5)])
    if augmentation in AUGMENTATION_NAMES:
        if not images:
            raise ValueError(
                f"augmentation={augmentation!r} needs images: set input_shape=(channels, height, "
                "width), or use augmentation='auto' (noise and feature dropout for vectors)."
            )
        factory = faces_augmentation if augmentation == "faces" else objects_augmentation
        return factory(input_shape[0])
    raise ValueError(
        f"Unknown augmentation {augmentation!r}; expected 'auto', 'faces', 'objects' or a "
        "callable mapping a batch tensor to a tensor of the same shape."
    )


def augmented_view(augment, x):
    """``augment(x)``, checked to be a tensor of the shape of ``x``, on its device and dtype."""
    x_plus = augment(x)
    if not isinstance(x_plus, torch.Tensor) or x_plus.shape != x.shape:
        raise ValueError(
            "The augmentation must return a tensor of the shape of its input "
            f"{tuple(x.shape)}, got {getattr(x_plus, 'shape', type(x_plus).__name__)}."
        )
    return x_plus.to(device=x.device, dtype=x.dtype)
