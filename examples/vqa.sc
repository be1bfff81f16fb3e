# The visual question answering model of the Keras functional-API guide
# ("Getting started with the Keras functional API", shared vision model):
#
#   vision_model = Sequential([Conv2D(64, 3, activation="relu", padding="same"),
#       Conv2D(64, 3, activation="relu"), MaxPooling2D(), ..., Flatten()])
#   encoded_image = vision_model(image_input)          # image_input: (224, 224, 3)
#   embedded_question = Embedding(10000, 256)(question_input)   # (100,) ints
#   encoded_question = LSTM(256)(embedded_question)
#   merged = concatenate([encoded_question, encoded_image])
#   output = Dense(1000, activation="softmax")(merged)
#
# Keras model.summary() shows the vision model as one nested row:
#   sequential (Sequential)    (None, 160000)      1,735,488
#   embedding (Embedding)      (None, 100, 256)    2,560,000
#   lstm (LSTM)                (None, 256)           525,312
#   concatenate (Concatenate)  (None, 160256)              0
#   dense (Dense)              (None, 1000)      160,257,000
#   Total params: 165,077,800 (all trainable)
#
#   symcount summary examples/vqa.sc             # the vision block as one row
#   symcount summary examples/vqa.sc --expand    # its ten layers too

model vqa

block vision {
  Conv2D(64, 3, activation=relu, padding=same) -> Conv2D(64, 3, activation=relu)
  MaxPooling2D
  Conv2D(128, 3, activation=relu, padding=same) -> Conv2D(128, 3, activation=relu)
  MaxPooling2D
  Conv2D(256, 3, activation=relu, padding=same) -> Conv2D(256, 3, activation=relu)
  Conv2D(256, 3, activation=relu)
  MaxPooling2D
  Flatten
}

img = input(224, 224, 3) -> vision
q   = input(100) -> Embedding(10000, 256) -> LSTM(256)
Concatenate(q, img) -> Dense(1000, activation=softmax)
