# read from examples/keras_lstm.py by symcount import (the code is read, never run)
# blocks and repeat fold the layers the source repeats; the layers inside them,
# and those the framework named itself (dense_3), take symcount's automatic
# names (symcount import --flat keeps every layer's own)
LSTM(64, return_sequences=true, input_shape=(100, 6))
  -> Dropout(0.5)
  -> LSTM(64)
  -> Dense(64, activation="relu") * 2
  -> Dense(6, activation="softmax")
