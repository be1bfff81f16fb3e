# BERT-base, the encoder with its pooler (Devlin et al. 2019; Hugging Face's
# BertModel(BertConfig()): vocabulary 30,522, 512 positions, 2 segment types,
# width 768, 12 heads, 12 blocks, feed-forward 3072).
#
# Embeddings: token + position + segment, summed, then LayerNorm. Each block is
# post-LayerNorm: LN(x + Attention(x)), then LN(x + MLP(x)). The pooler is a
# Dense(768, tanh) on the first ([CLS]) token.
#
# transformers: sum(p.numel() for p in BertModel(BertConfig()).parameters())
#   = 109,482,240

model bert_base

let V = 30522      # vocabulary
let T = 512        # sequence length = learned positions
let d = 768        # width
let h = 12         # heads
let L = 12         # blocks

block encoder {
  residual { MultiHeadAttention(h, d / h) } -> LayerNormalization
  residual { Dense(4 * d, activation=gelu) -> Dense(d) } -> LayerNormalization
}

tokens    = input(T) -> Embedding(V, d)
positions = input(T) -> Embedding(T, d)     # position ids 0 .. T-1
segments  = input(T) -> Embedding(2, d)     # token type ids 0 / 1
Add(tokens, positions, segments) -> LayerNormalization
repeat L { encoder }
Lambda(first_token, output_shape=(d,), name=cls_token)
Dense(d, activation=tanh, name=pooler)
