# The seeds' LSTM question, as Keras code: read by symcount, never run.
#   symcount summary examples/keras_lstm.py
from keras.layers import LSTM, Dense, Dropout
from keras.models import Sequential
from keras.regularizers import l2

timesteps = 100
input_dim = 6
n_classes = 6

model = Sequential()
model.add(
    LSTM(
        64,
        return_sequences=True,
        recurrent_regularizer=l2(0.0015),
        input_shape=(timesteps, input_dim),
    )
)
model.add(Dropout(0.5))
model.add(LSTM(64, recurrent_regularizer=l2(0.0015)))
model.add(Dense(64, activation="relu"))
model.add(Dense(64, activation="relu"))
model.add(Dense(n_classes, activation="softmax"))
model.summary()
