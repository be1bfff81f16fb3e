# A shared layer, from the Keras functional-API guide ("Shared layers"): do two
# tweets come from the same person? One LSTM encodes both, so its weights exist
# once and count once.
#
#   tweet_a = Input(shape=(280, 256)); tweet_b = Input(shape=(280, 256))
#   shared_lstm = LSTM(64)
#   encoded_a = shared_lstm(tweet_a); encoded_b = shared_lstm(tweet_b)
#   merged = concatenate([encoded_a, encoded_b], axis=-1)
#   predictions = Dense(1, activation="sigmoid")(merged)
#
# Keras model.summary():
#   lstm (LSTM)                (None, 64)     82,176   (called on both inputs)
#   concatenate (Concatenate)  (None, 128)         0
#   dense (Dense)              (None, 1)         129
#   Total params: 82,305
#
# Counting the LSTM once per call would give 164,481: the classic miscount.

model shared_lstm

let shared = LSTM(64)
a = input(280, 256) -> shared
b = input(280, 256) -> shared
Concatenate(a, b, axis=-1) -> Dense(1, activation=sigmoid)
