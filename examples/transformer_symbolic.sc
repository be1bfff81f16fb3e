# A GPT-style decoder with every size a symbol, for `symcount solve`:
#   V vocabulary, T context length (learned positions), d width, h heads, L blocks.
# Pre-LayerNorm blocks (attention, then a 4d MLP, each with a residual), a final
# LayerNorm, and an output projection tied to the token embedding (counted once).
#
#   symcount summary examples/transformer_symbolic.sc --leading
#     Total params: L*(12*d**2 + 13*d) + T*d + V*d + 2*d   (h cancels)
#   The widest d, a multiple of 128 and of h, within a 1B budget:
#   symcount solve examples/transformer_symbolic.sc --at-most 1B --for d \
#       --set L=24 --set h=12 --set V=50257 --set T=1024 --multiple-of 128 --where 'd % h == 0'

model transformer_symbolic

block mlp(w) {
  Dense(4 * w, activation=gelu) -> Dense(w)
}

let wte = ReversibleEmbedding(V, d)
tokens    = input(T) -> wte
positions = input(T) -> Embedding(T, d)
Add(tokens, positions) -> repeat L {
  residual { LayerNormalization -> MultiHeadAttention(h, d / h) }
  residual { LayerNormalization -> mlp(d) }
} -> LayerNormalization -> wte(reverse=true)
