# Bidirectional LSTM and BatchNormalization, from a Stack Overflow question:
#   "If I have: self.model.add(Bidirectional(LSTM(lstm1_size, input_shape=(seq_length,
#    feature_dim), return_sequences=True))) ... then is that doubling the sequence size?"
#   (lstm1_size=50, seq_length=128, feature_dim=20)
#
# Keras model.summary():
#   bidirectional (Bidirectional)              (None, 128, 100)  28,400
#   batch_normalization (BatchNormalization)   (None, 128, 100)     400
#   dropout (Dropout)                          (None, 128, 100)       0
#   Total params: 28,800
#   Trainable params: 28,600
#   Non-trainable params: 200   (BatchNormalization's moving mean and variance)

model bilstm_bn
input(128, 20)
  -> Bidirectional(LSTM(50, return_sequences=true))
  -> BatchNormalization
  -> Dropout(0.2)
