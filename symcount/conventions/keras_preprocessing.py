"""Keras 3's preprocessing and augmentation layers (ops/preprocessing.py), a table of
the Keras convention (:mod:`symcount.conventions.keras` takes it into its LAYERS)."""

from __future__ import annotations

from .base import layer
from .keras_common import DF, same_shape

# --- preprocessing and augmentation (ops/preprocessing.py) -------------------------

SIZE = "height:dim! width:dim!"
FILL = "fill_mode interpolation seed fill_value"
RANGE = "value_range seed"
# Image augmentations: they change values, never the shape (Keras's compute_output_shape
# is the identity at every rank); their arguments are accepted and ignored.
AUGMENT = {
    "RandomFlip": "mode seed",
    "RandomRotation": f"factor! {FILL}",
    "RandomZoom": f"height_factor! width_factor {FILL}",
    "RandomTranslation": f"height_factor! width_factor! {FILL}",
    "RandomContrast": f"factor! {RANGE}",
    "RandomBrightness": f"factor! {RANGE}",
    "RandomHue": f"factor! {RANGE}",
    "RandomSaturation": f"factor! {RANGE}",
    "RandomSharpness": f"factor! {RANGE}",
    "RandomPosterization": f"factor! {RANGE}",
    "RandomShear": "x_factor y_factor interpolation fill_mode fill_value",
    "RandomGrayscale": "factor",
    "RandomInvert": "factor value_range",
    "RandomColorJitter": "value_range brightness_factor contrast_factor saturation_factor "
    "hue_factor",
    "RandomGaussianBlur": "factor kernel_size sigma value_range",
    "RandomErasing": "factor scale fill_value value_range",
    "RandomPerspective": "factor scale interpolation fill_value",
    "RandomElasticTransform": "factor scale interpolation fill_mode fill_value value_range",
    "AutoContrast": "value_range",
    "Solarization": "addition_factor threshold_factor value_range",
    "Equalization": "value_range bins",
}
PREPROCESSING_LAYERS = {
    "Rescaling": same_shape("scale:number! offset:number=0.0"),
    **{k: same_shape(v, ignored={"seed", "data_format"}) for k, v in AUGMENT.items()},
    "Resizing": layer(
        "resize",
        f"{SIZE} interpolation crop_to_aspect_ratio:bool=false pad_to_aspect_ratio:bool=false",
        f"fill_mode fill_value antialias:bool=false {DF}",
        doc="An image to (height, width) (resized, cropped or padded). No weights.",
    ),
    "CenterCrop": layer(
        "resize", f"{SIZE} {DF}", doc="The center (height, width) of an image. No weights."
    ),
    "RandomCrop": layer(
        "resize", f"{SIZE} seed {DF}", doc="A random (height, width) crop. No weights."
    ),
    "CategoryEncoding": layer(
        "encode", "num_tokens>tokens:dim! output_mode:multi_hot|one_hot|count=multi_hot sparse"
    ),
    "Discretization": layer(
        "encode",
        "bin_boundaries>boundaries num_bins>bins:dim epsilon:number=0.01",
        "output_mode:int|one_hot|multi_hot|count=int sparse",
    ),
    "Normalization": layer(
        "normalization",
        "axis:axes?=-1 mean variance invert:bool=false",
        weights="mean(*dims) var=variance(*dims) count()",
        doc="mean and variance over the kept axes (axis; None: one of each) and a count, "
        "non-trainable; none when mean and variance are given.",
    ),
}
