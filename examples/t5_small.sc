# T5-small as Hugging Face's T5ForConditionalGeneration(T5Config()) builds it
# (Raffel et al. 2020): a shared Embedding(32128, 512) for the encoder's and the
# decoder's tokens, 6 encoder and 6 decoder blocks, width 512, 8 heads of 64,
# feed-forward 2048 (DenseReluDense: wi, ReLU, wo), and lm_head tied to the
# shared embedding (tie_word_embeddings=True): 60,506,624 parameters, no buffers.
#
# Every block is pre-norm, x + sublayer(T5LayerNorm(x)); T5LayerNorm is a
# weight-only RMS norm (torch's RMSNorm has the same weight). Attention is
# q/k/v/o Linears without bias and torch's scaled_dot_product_attention with
# scale=1 (T5 does not divide by sqrt(d_kv)); the decoder's self-attention is
# causal and its cross-attention reads the encoder's output.
#
# The relative-position bias is what HF holds: nn.Embedding(32, 8) in the first
# block's self-attention of each stack, looked up with the (query, key) bucket
# tensor T5 computes (relative_attention_bias(buckets): (L, S, 8)), permuted to
# (1, 8, L, S) and added to the scores of every block of the stack, which is
# torch's attn_mask (the decoder adds its causal mask to it, so its attention
# is not is_causal: torch refuses both).
#
#   symcount summary examples/t5_small.sc
#     Total params: 60,506,624

model t5_small
convention torch

let V = 32128      # vocab_size
let d = 512        # d_model
let H = 8          # num_heads
let dkv = 64       # d_kv
let ff = 2048      # d_ff
let S = 16         # encoder length
let T = 12         # decoder length

let shared = Embedding(V, d, name=shared)

block encoder_attention {                    # T5Attention, the encoder's position bias added
  q = input -> Linear(H * dkv, bias=false)
  k = input -> Linear(H * dkv, bias=false)
  v = input -> Linear(H * dkv, bias=false)
  ScaledDotProductAttention(H, scale=1)(q, k, v, encoder_bias) -> Linear(d, bias=false)
}

block decoder_attention {                    # the decoder's position bias, the causal mask added to it
  q = input -> Linear(H * dkv, bias=false)
  k = input -> Linear(H * dkv, bias=false)
  v = input -> Linear(H * dkv, bias=false)
  ScaledDotProductAttention(H, scale=1)(q, k, v, decoder_bias) -> Linear(d, bias=false)
}

block cross_attention {                      # EncDecAttention: keys and values from the encoder
  q = input -> Linear(H * dkv, bias=false)
  k = encoded -> Linear(H * dkv, bias=false)
  v = encoded -> Linear(H * dkv, bias=false)
  ScaledDotProductAttention(H, scale=1)(q, k, v) -> Linear(d, bias=false)
}

block dense_relu_dense {
  Linear(ff, bias=false) -> ReLU -> Dropout(0.1) -> Linear(d, bias=false)   # wi, wo
}

block encoder_block {
  residual { RMSNorm -> encoder_attention }
  residual { RMSNorm -> dense_relu_dense }
}

block decoder_block {
  residual { RMSNorm -> decoder_attention }
  residual { RMSNorm -> cross_attention }
  residual { RMSNorm -> dense_relu_dense }
}

# the relative-position bias tables (block 0 of each stack) on the bucket tensors,
# permuted to (H, L, S) after the batch: every block's attn_mask
encoder_bias = input(S, S) -> Embedding(32, H, name=encoder_relative_attention_bias) -> Permute(0, 3, 1, 2)
decoder_bias = input(T, T) -> Embedding(32, H, name=decoder_relative_attention_bias) -> Permute(0, 3, 1, 2)

encoded = input(S) -> shared -> repeat 6 { encoder_block } -> RMSNorm(name=encoder_final_layer_norm)
input(T) -> shared -> repeat 6 { decoder_block } -> RMSNorm(name=decoder_final_layer_norm)
TiedLinear(shared, name=lm_head)             # lm_head.weight is shared.weight
