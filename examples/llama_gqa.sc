# A Llama-style decoder with grouped-query attention and rotary position
# embeddings, as Hugging Face's LlamaForCausalLM (and MistralForCausalLM, the
# same modules) builds it, every size a symbol:
#   V vocabulary, d width (hidden_size), H query heads, Hkv key/value heads,
#   D head width (head_dim), ff the MLP's width (intermediate_size), L blocks.
#
# Each block is pre-RMSNorm: x + o_proj(attention(q, k, v)), then
# x + down_proj(SiLU(gate_proj(x)) * up_proj(x)) (SwiGLU). q, k and v are
# separate Linears without bias; q and k are rotated by the one rotary module
# the model keeps (its inv_freq and original_inv_freq buffers, D/2 each,
# counted once: called once on the embeddings, as LlamaModel.forward does,
# then shared by every block); the attention is torch's scaled_dot_product_attention, causal,
# Hkv < H heads for the keys and values. A final RMSNorm and lm_head, untied
# (tie_word_embeddings=False, Llama-2's and Mistral's default; a tied model,
# such as Llama-3.2-1B, ends in TiedLinear(embed_tokens, name=lm_head)).
#
#   symcount summary examples/llama_gqa.sc
#     Total params: L*(2*D*H*d + 2*D*Hkv*d + 3*d*ff + 2*d) + 2*V*d + d    Buffers: D
#   --set V=32000 --set d=4096 --set H=32 --set Hkv=32 --set D=128 --set ff=11008 --set L=32
#     Total params: 6,738,415,616   (Llama-2-7B)
#   --set V=32000 --set d=4096 --set H=32 --set Hkv=8 --set D=128 --set ff=14336 --set L=32
#     Total params: 7,241,732,096   (Mistral-7B)

model llama_gqa
convention torch

let rope = RotaryEmbedding(D, name=rotary_emb)   # model.rotary_emb: one per model

block self_attn {
  q = input -> Linear(H * D, bias=false) -> rope
  k = input -> Linear(Hkv * D, bias=false) -> rope
  v = input -> Linear(Hkv * D, bias=false)
  ScaledDotProductAttention(H, num_key_value_heads=Hkv, is_causal=true, enable_gqa=true)(q, k, v)
  Linear(d, bias=false)                     # o_proj
}

block mlp {
  gate = input -> Linear(ff, bias=false) -> SiLU
  up = input -> Linear(ff, bias=false)
  Multiply(gate, up) -> Linear(d, bias=false)   # down_proj
}

block decoder_layer {
  residual { RMSNorm -> self_attn }         # input_layernorm
  residual { RMSNorm -> mlp }               # post_attention_layernorm
}

let embed_tokens = Embedding(V, d, name=embed_tokens)
x = input(T) -> embed_tokens
position_embeddings = x -> rope             # model.rotary_emb(hidden_states, position_ids)
x -> repeat L { decoder_layer } -> RMSNorm(name=norm) -> Linear(V, bias=false, name=lm_head)
