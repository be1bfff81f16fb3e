# keras.io's character-level sequence-to-sequence model (lstm_seq2seq): an
# encoder LSTM whose final states h and c start the decoder LSTM, then a
# softmax over the target characters. keras.io uses latent_dim = 256,
# num_encoder_tokens = 71, num_decoder_tokens = 93 (718,173 params).
model seq2seq_lstm
symbols latent_dim, num_encoder_tokens, num_decoder_tokens

encoder_inputs = input(None, num_encoder_tokens)
encoder_outputs, state_h, state_c = encoder_inputs -> LSTM(latent_dim, return_state=true)

decoder_inputs = input(None, num_decoder_tokens)
decoder_lstm_out, _, _ = LSTM(latent_dim, return_sequences=true, return_state=true)(decoder_inputs, initial_state=[state_h, state_c])
decoder_outputs = decoder_lstm_out -> Dense(num_decoder_tokens, activation=softmax)
output decoder_outputs
