# A GPT-2 style decoder, every size a symbol (Radford et al. 2019, "Language Models
# are Unsupervised Multitask Learners"; Hugging Face's GPT2LMHeadModel):
#   V vocabulary, T context length (and learned positions), d width, h heads, L blocks.
#
# Each block is pre-LayerNorm: x + Attention(LN(x)), then x + MLP(LN(x)) with a
# 4d hidden layer; a final LayerNorm, and the output projection reuses the token
# embedding matrix (tied weights, counted once).
#
#   symcount summary examples/gpt2.sc
#     Total params: L*(12*d**2 + 13*d) + T*d + V*d + 2*d      (h cancels)
#   symcount summary examples/gpt2.sc --set V=50257 --set T=1024 --set d=768 --set h=12 --set L=12
#     Total params: 124,439,808   (GPT-2 small, as transformers counts
#                                  GPT2LMHeadModel(GPT2Config()).parameters())

model gpt2

block mlp(w) {
  Dense(4 * w, activation=gelu) -> Dense(w)
}

block decoder {
  residual { LayerNormalization -> MultiHeadAttention(h, d / h) }
  residual { LayerNormalization -> mlp(d) }
}

let wte = ReversibleEmbedding(V, d)          # token embedding, tied to the output
tokens    = input(T) -> wte
positions = input(T) -> Embedding(T, d)      # position ids 0 .. T-1
Add(tokens, positions) -> repeat L { decoder } -> LayerNormalization -> wte(reverse=true)
