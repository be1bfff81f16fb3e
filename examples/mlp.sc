# A two-layer perceptron, from a Stack Overflow question:
#   "I feed a 514 dimensional real-valued input to a Sequential model in Keras."
#   predictivemodel.add(Dense(514, input_dim=514, ...))
#   predictivemodel.add(Dense(257, ...))
#
# Keras model.summary():
#   dense (Dense)     (None, 514)   264,710   = 514*514 + 514
#   dense_1 (Dense)   (None, 257)   132,355   = 514*257 + 257
#   Total params: 397,065 (all trainable)

model mlp
input(514) -> Dense(514) -> Dense(257)
