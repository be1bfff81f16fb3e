# GPT-3 175B's shape (Brown et al. 2020, Table 2.1): 96 blocks of width 12,288
# with 96 heads, a 2,048-token context, GPT-2's 50,257-token vocabulary, the
# output projection tied to the token embedding. The number of blocks stays a
# symbol: the repeat is counted as L passes of one block, never unrolled.
#
#   symcount summary examples/gpt3.sc
#     Total params: 1812099072*L + 642748416
#   symcount summary examples/gpt3.sc --set L=96
#     Total params: 174,604,259,328      (the paper's "175B")

model gpt3

let V = 50257
let T = 2048
let d = 12288
let h = 96

block decoder {
  residual { LayerNormalization -> MultiHeadAttention(h, d / h) }
  residual { LayerNormalization -> Dense(4 * d, activation=gelu) -> Dense(d) }
}

let wte = ReversibleEmbedding(V, d)
tokens    = input(T) -> wte
positions = input(T) -> Embedding(T, d)
Add(tokens, positions) -> repeat L { decoder } -> LayerNormalization -> wte(reverse=true)
