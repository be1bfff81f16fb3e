"""What the names in pasted Keras and PyTorch code stand for: the module
prefixes people write, Keras 2 spellings found in old answers, arguments
that never change a count, and the functions that build nothing
(docs/python.md)."""

from __future__ import annotations

# Module paths a layer class is reached through, as people write them; a
# name reached through one of these (or imported from one) is a layer type.
KERAS_MODULES = {
    "keras",
    "keras.layers",
    "keras.models",
    "keras.src.layers",
    "tf.keras",
    "tf.keras.layers",
    "tf.keras.models",
    "tensorflow.keras",
    "tensorflow.keras.layers",
    "tensorflow.keras.models",
    "tensorflow.python.keras.layers",
    "layers",
    "models",
}
TORCH_MODULES = {"nn", "torch.nn", "torch.nn.modules"}
FUNCTIONAL = {"F", "torch.nn.functional", "nn.functional", "functional"}

# Keras 1/2 class names of layers Keras 3 renamed
OLD_TYPES = {
    "Convolution1D": "Conv1D",
    "Convolution2D": "Conv2D",
    "Convolution3D": "Conv3D",
    "Deconvolution2D": "Conv2DTranspose",
    "Conv2DTranspose": "Conv2DTranspose",
    "AtrousConvolution2D": "Conv2D",
    "MaxPool2D": "MaxPooling2D",
    "MaxPool1D": "MaxPooling1D",
    "AvgPool2D": "AveragePooling2D",
    "CuDNNLSTM": "LSTM",
    "CuDNNGRU": "GRU",
}

# The functional API's merges: keras.layers.concatenate([a, b]) is
# Concatenate()([a, b]); their other arguments are the layer's.
MERGES = {
    "concatenate": "Concatenate",
    "add": "Add",
    "subtract": "Subtract",
    "multiply": "Multiply",
    "average": "Average",
    "maximum": "Maximum",
    "minimum": "Minimum",
    "dot": "Dot",
}

# Arguments that set how a layer trains or behaves, never its weights' shapes
# (Keras 1/2 names too): read and left out.
VALUE_ONLY = {
    "kernel_regularizer",
    "bias_regularizer",
    "recurrent_regularizer",
    "activity_regularizer",
    "depthwise_regularizer",
    "pointwise_regularizer",
    "beta_regularizer",
    "gamma_regularizer",
    "embeddings_regularizer",
    "kernel_initializer",
    "bias_initializer",
    "recurrent_initializer",
    "depthwise_initializer",
    "pointwise_initializer",
    "beta_initializer",
    "gamma_initializer",
    "moving_mean_initializer",
    "moving_variance_initializer",
    "embeddings_initializer",
    "kernel_constraint",
    "bias_constraint",
    "recurrent_constraint",
    "depthwise_constraint",
    "pointwise_constraint",
    "beta_constraint",
    "gamma_constraint",
    "embeddings_constraint",
    "init",
    "inner_init",
    "forget_bias_init",
    "W_regularizer",
    "U_regularizer",
    "b_regularizer",
    "W_constraint",
    "U_constraint",
    "b_constraint",
    "weights",
    "dim_ordering",
    "data_format_hint",
    "consume_less",
    "unroll",
    "dtype",
    "seed",
    "device",
}

# Keras 1/2 argument names and their Keras 3 ones
OLD_KWARGS = {
    "nb_filter": "filters",
    "border_mode": "padding",
    "subsample": "strides",
    "subsample_length": "strides",
    "filter_length": "kernel_size",
    "bias": "use_bias",
    "dropout_W": "dropout",
    "dropout_U": "recurrent_dropout",
    "p": "rate",
}

# activation functions written as objects (tf.nn.relu, keras.activations.relu, F.relu)
ACTIVATIONS = {
    "relu",
    "relu6",
    "sigmoid",
    "softmax",
    "tanh",
    "elu",
    "selu",
    "gelu",
    "silu",
    "swish",
    "softplus",
    "softsign",
    "exponential",
    "linear",
    "hard_sigmoid",
    "leaky_relu",
    "log_softmax",
    "mish",
}

# Calls whose result only a layer's behaviour depends on: regularizers,
# initializers, constraints, optimizers, losses (their modules or names).
VALUE_MODULES = {
    "regularizers",
    "keras.regularizers",
    "tf.keras.regularizers",
    "initializers",
    "keras.initializers",
    "tf.keras.initializers",
    "constraints",
    "keras.constraints",
    "tf.keras.constraints",
    "optimizers",
    "keras.optimizers",
    "tf.keras.optimizers",
    "activations",
    "keras.activations",
    "tf.keras.activations",
    "tf.nn",
    "nn.init",
    "torch.nn.init",
}
VALUE_FUNCTIONS = {
    "l1",
    "l2",
    "l1_l2",
    "L1",
    "L2",
    "L1L2",
    "WeightRegularizer",
    "ActivityRegularizer",
    "max_norm",
    "MaxNorm",
    "non_neg",
    "NonNeg",
    "unit_norm",
    "UnitNorm",
    "glorot_uniform",
    "glorot_normal",
    "he_normal",
    "he_uniform",
    "RandomNormal",
    "RandomUniform",
    "TruncatedNormal",
    "Constant",
    "Zeros",
    "Ones",
    "GlorotUniform",
    "GlorotNormal",
    "HeNormal",
    "HeUniform",
    "Adam",
    "SGD",
    "RMSprop",
}

# A model's methods that build nothing: read and left out.
MODEL_METHODS = {
    "summary",
    "compile",
    "fit",
    "fit_generator",
    "evaluate",
    "predict",
    "save",
    "save_weights",
    "load_weights",
    "to_json",
    "count_params",
    "train",
    "eval",
    "to",
    "cuda",
    "cpu",
    "zero_grad",
    "parameters",
    "named_parameters",
    "state_dict",
    "load_state_dict",
    "apply",
    "double",
    "float",
    "half",
}

# Builtins and helpers of plain Python code around a model that print or
# load data: their calls are read and left out.
IGNORED_CALLS = {"print", "plot_model", "seed", "set_seed", "manual_seed"}

# torch.nn.functional and tensor methods that change no shape and hold no weights
SAME_SHAPE_FUNCTIONS = ACTIVATIONS | {
    "dropout",
    "dropout2d",
    "dropout1d",
    "dropout3d",
    "alpha_dropout",
    "relu_",
    "contiguous",
    "clone",
    "detach",
    "float",
    "to",
    "sigmoid_",
    "tanh_",
    "hardtanh",
    "hardswish",
    "normalize",
}
