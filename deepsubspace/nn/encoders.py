"""Encoder factories: a name -> a function returning ``(encoder, decoder)``.

A factory is called as ``factory(input_shape, **params)`` where ``input_shape``
is ``(n_features,)`` for vectors or ``(channels, height, width)`` for images.
It returns an encoder module and a decoder module (``None`` where the factory
has no decoder). The decoder receives the encoder's output, of the same shape.
"""

import copy
import inspect
import math
import os

import torch
from torch import nn

from .._download import check_sha256, download_verified, fetch

#: "identity" makes a network linear (a linear residual branch maps every subspace to a subspace)
_ACTIVATIONS = {"relu": nn.ReLU, "gelu": nn.GELU, "tanh": nn.Tanh, "identity": nn.Identity}


def _activation(name):
    if name not in _ACTIVATIONS:
        raise ValueError(f"Unknown activation {name!r}; expected one of {sorted(_ACTIVATIONS)}.")
    return _ACTIVATIONS[name]()


def mlp_autoencoder(input_shape, *, hidden_layer_sizes=(128,), latent_dim=32, activation="relu"):
    """Fully connected autoencoder for vectors.

    ``n_features -> hidden_layer_sizes -> latent_dim`` with ``activation``
    between layers and a linear latent layer; the decoder mirrors it with a
    linear output layer.
    """
    if len(input_shape) != 1:
        raise ValueError(f"The 'mlp' encoder expects vectors, got input_shape={tuple(input_shape)}.")
    sizes = [int(input_shape[0]), *hidden_layer_sizes, latent_dim]
    return _mlp(sizes, activation), _mlp(sizes[::-1], activation)


def _mlp(dims, activation, bias=True):
    """Linear layers ``dims[0] -> ... -> dims[-1]`` with ``activation`` between them."""
    layers = []
    for i, (d_in, d_out) in enumerate(zip(dims[:-1], dims[1:])):
        layers.append(nn.Linear(d_in, d_out, bias=bias))
        if i < len(dims) - 2:
            layers.append(_activation(activation))
    return nn.Sequential(*layers)


def projection_head(n_features, n_outputs, activation="relu"):
    """Two linear layers ``n_features -> n_outputs -> n_outputs`` with ``activation`` between.

    The contrastive projection of flattened latent features (SimCLR's head;
    the structural contrastive head of Peng et al., section 3.3).
    """
    return nn.Sequential(nn.Flatten(), _mlp([int(n_features), int(n_outputs), int(n_outputs)],
                                            activation))


class _ConvDecoder(nn.Module):
    """Mirror of a stride-2 conv encoder that restores the exact spatial sizes."""

    def __init__(self, channels, kernel_sizes, spatial_sizes, activation):
        super().__init__()
        layers = []
        n_layers = len(kernel_sizes)
        for i in reversed(range(n_layers)):
            k = kernel_sizes[i]
            (h_in, w_in), (h_out, w_out) = spatial_sizes[i + 1], spatial_sizes[i]
            # out = 2 * in - 1 + output_padding for stride 2 and padding k // 2
            padding = (h_out - 2 * h_in + 1, w_out - 2 * w_in + 1)
            layers.append(
                nn.ConvTranspose2d(channels[i + 1], channels[i], k, stride=2,
                                   padding=k // 2, output_padding=padding)
            )
            layers.append(_activation(activation))
        self.layers = nn.Sequential(*layers)

    def forward(self, z):
        return self.layers(z)


def conv_autoencoder(input_shape, *, channels=(15,), kernel_sizes=(3,), activation="relu",
                     batch_norm=False):
    """DSC-Net style convolutional autoencoder for small images.

    Each encoder layer is a stride-2 convolution with 'same' padding (odd
    kernel sizes) followed by ``activation`` (and batch normalisation before it
    if ``batch_norm``); the decoder mirrors it with transposed convolutions,
    without batch normalisation (paper 000, section 4.3).
    The defaults are DSC-Net's COIL-20 network.
    """
    if len(input_shape) != 3:
        raise ValueError(
            f"The 'conv' encoder expects input_shape=(channels, height, width), got {tuple(input_shape)}."
        )
    if len(channels) != len(kernel_sizes):
        raise ValueError("channels and kernel_sizes must have the same length.")
    if any(k % 2 == 0 for k in kernel_sizes):
        raise ValueError(f"kernel_sizes must be odd, got {tuple(kernel_sizes)}.")
    c_in, height, width = (int(v) for v in input_shape)
    all_channels = [c_in, *channels]
    spatial = [(height, width)]
    layers = []
    for i, k in enumerate(kernel_sizes):
        layers.append(nn.Conv2d(all_channels[i], all_channels[i + 1], k, stride=2, padding=k // 2))
        if batch_norm:
            layers.append(nn.BatchNorm2d(all_channels[i + 1]))
        layers.append(_activation(activation))
        h, w = spatial[-1]
        spatial.append(((h + 1) // 2, (w + 1) // 2))
    encoder = nn.Sequential(*layers)
    decoder = _ConvDecoder(all_channels, list(kernel_sizes), spatial, activation)
    return encoder, decoder


class _ResNetDecoder(nn.Module):
    """Light decoder: a linear layer to (c, 4, 4), then upsampling deconvolutions."""

    def __init__(self, latent_dim, output_shape, width=256):
        super().__init__()
        c_out, height, width_out = output_shape
        self.output_size = (height, width_out)
        self.project = nn.Linear(latent_dim, width * 16)
        blocks = []
        channels = width
        n_up = max(1, math.ceil(math.log2(max(height, width_out) / 4)))
        for _ in range(n_up - 1):
            blocks += [nn.ConvTranspose2d(channels, channels // 2, 4, stride=2, padding=1),
                       nn.BatchNorm2d(channels // 2), nn.ReLU()]
            channels //= 2
        blocks += [nn.ConvTranspose2d(channels, c_out, 4, stride=2, padding=1)]
        self.width = width
        self.blocks = nn.Sequential(*blocks)

    def forward(self, z):
        x = self.project(z).reshape(len(z), self.width, 4, 4)
        x = self.blocks(x)
        return nn.functional.interpolate(x, size=self.output_size, mode="bilinear", align_corners=False)


#: torchvision's ImageNet-1k weights of ResNet-18 (``ResNet18_Weights.IMAGENET1K_V1``).
RESNET18_IMAGENET_URL = "https://download.pytorch.org/models/resnet18-f37072fd.pth"
#: The hash torchvision publishes in the file name: a *prefix* of the file's sha256.
RESNET18_IMAGENET_SHA256_PREFIX = "f37072fd"
#: Environment variable naming the weights cache directory.
WEIGHTS_CACHE_ENV = "DEEPSUBSPACE_WEIGHTS"


def weights_cache_dir(cache_dir=None):
    """Directory of downloaded network weights.

    ``cache_dir`` if given, else the environment variable
    ``DEEPSUBSPACE_WEIGHTS``, else torch hub's checkpoint directory
    (``torch.hub.get_dir()/checkpoints``, where torchvision itself caches
    ``resnet18-f37072fd.pth``, so an existing torchvision download is reused).
    """
    if cache_dir is None:
        cache_dir = os.environ.get(WEIGHTS_CACHE_ENV) or os.path.join(torch.hub.get_dir(), "checkpoints")
    return os.path.expanduser(os.fspath(cache_dir))


def _fetch_weights(url, destination):
    """Download ``url`` into the file ``destination`` (tests replace this function)."""
    fetch(url, destination, timeout=120)


def resnet18_imagenet_weights(cache_dir=None, download=True):
    """Path of torchvision's ImageNet ResNet-18 state dict, downloading it once.

    The file ``resnet18-f37072fd.pth`` is looked up in
    :func:`weights_cache_dir`; if absent and ``download`` is true it is
    fetched from :data:`RESNET18_IMAGENET_URL` into a temporary file, checked
    and moved into place. As in torchvision (``check_hash=True``), the check
    compares the file's sha256 with the hash in the file name, which is only
    the first 8 hex digits of it (:data:`RESNET18_IMAGENET_SHA256_PREFIX`);
    a cached file is checked the same way on every call. This is the only
    function that downloads weights, and it runs only for
    ``weights="imagenet"``.

    Raises
    ------
    FileNotFoundError
        If the file is missing and ``download`` is false or the download fails.
    ValueError
        If the file's sha256 does not start with the published prefix (a
        failed download leaves nothing in the cache).
    """
    directory = weights_cache_dir(cache_dir)
    filename = os.path.basename(RESNET18_IMAGENET_URL)
    path = os.path.join(directory, filename)
    if os.path.exists(path):
        check_sha256(path, RESNET18_IMAGENET_SHA256_PREFIX, prefix=True,
                     advice="; delete it to download it again")
        return path
    if not download:
        raise FileNotFoundError(
            f"ImageNet ResNet-18 weights not found at {path}; download {RESNET18_IMAGENET_URL} "
            f"there, set {WEIGHTS_CACHE_ENV} to the directory holding {filename}, or pass a path."
        )
    try:
        download_verified(RESNET18_IMAGENET_URL, path, RESNET18_IMAGENET_SHA256_PREFIX, prefix=True,
                          fetch=_fetch_weights)
    except OSError as exc:  # includes urllib.error.URLError: no network, HTTP error
        raise FileNotFoundError(
            f"Downloading {RESNET18_IMAGENET_URL} to {path} failed: {exc}. Download it "
            f"elsewhere and place it there, or set {WEIGHTS_CACHE_ENV} to its directory."
        ) from exc
    return path


def resnet18_autoencoder(input_shape, *, weights=None, decoder_width=256, cache_dir=None):
    """torchvision's ResNet-18 as encoder (512-d features, classifier removed).

    Parameters
    ----------
    input_shape : tuple (channels, height, width)
        1 or 3 channels; for 1 channel the first convolution takes one input
        channel (pretrained weights are summed over RGB).
    weights : None, "imagenet" or path, default=None
        ``None``: random initialisation. A path: a local state dict of
        torchvision's ``resnet18`` (for example ImageNet weights downloaded
        beforehand). ``"imagenet"``: torchvision's ImageNet-1k weights,
        downloaded once into ``cache_dir`` and sha256-checked (see
        :func:`resnet18_imagenet_weights`); only this value downloads.
    decoder_width : int, default=256
        Channels of the light decoder (used only by reconstruction models).
    cache_dir : str, default=None
        Cache directory of ``weights="imagenet"``; see :func:`weights_cache_dir`.
    """
    from torchvision.models import resnet18

    if len(input_shape) != 3 or input_shape[0] not in (1, 3):
        raise ValueError(
            f"The 'resnet18' encoder expects input_shape=(1 or 3, height, width), got {tuple(input_shape)}."
        )
    model = resnet18(weights=None)
    if isinstance(weights, str) and weights == "imagenet":
        weights = resnet18_imagenet_weights(cache_dir)
    if weights is not None:
        if not os.path.isfile(weights):
            raise FileNotFoundError(f"ResNet-18 weights file not found: {weights!r}.")
        state = torch.load(weights, map_location="cpu", weights_only=True)
        state = {k: v for k, v in state.items() if not k.startswith("fc.")}
        model.fc = nn.Identity()
        model.load_state_dict(state)
    model.fc = nn.Identity()
    if input_shape[0] == 1:
        conv = model.conv1
        gray = nn.Conv2d(1, conv.out_channels, conv.kernel_size, conv.stride, conv.padding, bias=False)
        with torch.no_grad():
            gray.weight.copy_(conv.weight.sum(dim=1, keepdim=True))
        model.conv1 = gray
    return model, _ResNetDecoder(512, tuple(input_shape), width=decoder_width)


class _Residual(nn.Module):
    """``x + branch(x)`` with the branch's last layer initialised to zero (the identity at start)."""

    def __init__(self, branch):
        super().__init__()
        self.branch = branch
        last = [m for m in branch.modules() if isinstance(m, (nn.Linear, nn.Conv2d))][-1]
        nn.init.zeros_(last.weight)
        if last.bias is not None:
            nn.init.zeros_(last.bias)

    def forward(self, x):
        return x + self.branch(x)


def residual_autoencoder(input_shape, *, hidden=(64,), kernel_size=3, activation="gelu", bias=None):
    """Encoder and decoder that start as the identity: ``x + g(x)``, ``g`` zero at start.

    The latent features have the input's shape, and before any training they
    *are* the input: self-expression on them starts from the least-squares
    self-expression of the pixels (or vectors), and training can only move
    away from it as far as the loss asks. For vectors ``g`` is an MLP
    ``n_features -> hidden -> n_features``; for images ``(c, h, w)`` a stack
    of stride-1 'same' convolutions ``c -> hidden -> c`` with
    ``kernel_size``. The decoder has the same form. With
    ``activation="identity"`` the layers have no biases and the encoder is
    linear, ``(I + G) x``: it maps every linear subspace to a linear
    subspace (of the same dimension while ``I + G`` is injective), so it can
    re-weight the pixels but not fold a union of subspaces.

    ``bias`` (default: biases unless ``activation="identity"``) sets whether
    the layers have biases. With ``bias=False`` and ``activation="relu"``
    the encoder is positively homogeneous, ``f(c x) = c f(x)`` for ``c > 0``:
    its unit-norm features then do not depend on a sample's overall
    brightness, as least squares on unit-norm rows does not. With biases,
    ``f(0) = g(0)`` need not be zero, and for the darkest samples that
    constant can outweigh the sample itself once the features are scaled to
    unit norm.
    """
    hidden = tuple(int(v) for v in hidden)
    if bias is None:
        bias = activation != "identity"
    elif not isinstance(bias, bool):
        raise ValueError(f"bias must be True, False or None, got {bias!r}.")
    if len(input_shape) == 1:
        sizes = [int(input_shape[0]), *hidden, int(input_shape[0])]

        def branch():
            return _mlp(sizes, activation, bias)
    elif len(input_shape) == 3:
        if kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be odd, got {kernel_size}.")
        channels = [int(input_shape[0]), *hidden, int(input_shape[0])]

        def branch():
            layers = []
            for i, (c_in, c_out) in enumerate(zip(channels[:-1], channels[1:])):
                layers.append(nn.Conv2d(c_in, c_out, kernel_size, padding=kernel_size // 2, bias=bias))
                if i < len(channels) - 2:
                    layers.append(_activation(activation))
            return nn.Sequential(*layers)
    else:
        raise ValueError(
            "The 'residual' encoder expects vectors or (channels, height, width) images, "
            f"got input_shape={tuple(input_shape)}."
        )
    return _Residual(branch()), _Residual(branch())


ENCODER_FACTORIES = {
    "mlp": mlp_autoencoder,
    "conv": conv_autoencoder,
    "resnet18": resnet18_autoencoder,
    "residual": residual_autoencoder,
}


def _check_factory_params(factory, name, params):
    """Raise a ValueError naming ``name`` and its accepted keywords if ``params`` has others."""
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):  # a builtin or C callable: nothing to inspect
        return
    keywords = list(signature.parameters.values())[1:]  # after input_shape
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in keywords):
        return
    accepted = [p.name for p in keywords
                if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)]
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise ValueError(
            f"Unknown encoder_params {unknown} for encoder {name!r}; it accepts "
            f"{accepted if accepted else 'no parameters'}."
        )


def build_autoencoder(encoder, input_shape, params=None):
    """Resolve an encoder specification into fresh ``(encoder, decoder)`` modules.

    Parameters
    ----------
    encoder : str, callable, nn.Module or (nn.Module, nn.Module or None)
        A registered name (see :data:`ENCODER_FACTORIES`), a factory
        ``f(input_shape, **params) -> (encoder, decoder)``, an encoder module
        (no decoder) or a pair of modules. Modules are deep-copied, never
        trained in place.
    input_shape : tuple
    params : dict, default=None
        Keyword arguments of the factory.

    Raises
    ------
    ValueError
        If the name is unknown, or ``params`` holds a keyword the factory does
        not accept (the message names the encoder and its parameters).
    """
    params = dict(params or {})
    if isinstance(encoder, str):
        if encoder not in ENCODER_FACTORIES:
            raise ValueError(
                f"Unknown encoder {encoder!r}; expected one of {sorted(ENCODER_FACTORIES)}, "
                "a factory callable or nn.Module instances."
            )
        _check_factory_params(ENCODER_FACTORIES[encoder], encoder, params)
        modules = ENCODER_FACTORIES[encoder](tuple(input_shape), **params)
    elif isinstance(encoder, nn.Module):
        modules = (copy.deepcopy(encoder), None)
    elif isinstance(encoder, tuple) and len(encoder) == 2:
        modules = copy.deepcopy(encoder)
    elif callable(encoder):
        _check_factory_params(encoder, getattr(encoder, "__name__", repr(encoder)), params)
        modules = encoder(tuple(input_shape), **params)
    else:
        raise TypeError(
            "encoder must be a name, a factory callable, an nn.Module or a pair "
            f"(encoder, decoder) of modules; got {type(encoder).__name__}."
        )
    if not (isinstance(modules, tuple) and len(modules) == 2 and isinstance(modules[0], nn.Module)
            and (modules[1] is None or isinstance(modules[1], nn.Module))):
        raise TypeError("An encoder factory must return (encoder, decoder) modules (decoder may be None).")
    return modules
