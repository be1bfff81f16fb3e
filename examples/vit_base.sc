# ViT-base (Dosovitskiy et al. 2021) as Hugging Face's ViTModel(ViTConfig())
# builds it (transformers 5.24, models/vit/modeling_vit.py), every size a
# symbol: d width (hidden_size), H heads (num_attention_heads), L layers
# (num_hidden_layers), ff the MLP's width (intermediate_size), P the patch
# size, S the image size (square, 3 channels: num_channels).
#
# ViTEmbeddings: the patches are a Conv2d(3, d, P, stride=P) (its
# patch_embeddings.projection), flattened and transposed to (N, d), with
# N = (S // P)**2 patches; the learnt cls_token (1, 1, d) is concatenated in
# front (torch.cat after cls_token.expand(B, -1, -1)) and the learnt
# position_embeddings (1, N + 1, d) added, then Dropout (hidden_dropout_prob 0).
# Each ViTLayer is pre-LayerNorm (eps 1e-12): x + attention(layernorm_before(x)),
# then x + mlp(layernorm_after(x)). ViTAttention is four Linears with bias
# (q_proj, k_proj, v_proj: d -> H * head_dim, o_proj back to d, head_dim =
# d // H, floored as HF floors it) around torch's scaled_dot_product_attention
# (not causal, scale head_dim**-0.5: the function's default); ViTMLP is
# fc1 (d -> ff), GELU (exact), fc2 (ff -> d). Then the final layernorm, and
# ViTPooler: the first token, hidden_states[:, 0], through dense
# Linear(d, pooler_output_size = d) and Tanh. The two outputs are
# BaseModelOutputWithPooling's: last_hidden_state (N + 1, d) and
# pooler_output (d,). No buffers.
#
#   symcount summary examples/vit_base.sc --set d=768 --set H=12 --set L=12 --set ff=3072 --set P=16 --set S=224
#     embeddings   742,656     (projection 590,592, cls_token 768, position_embeddings 151,296)
#     repeat x12   85,054,464  (7,087,872 a layer: 4*d*(d+1) + 4*d + 2*d*ff + ff + d)
#     layernorm    1,536
#     pooler       590,592
#     Total params: 86,389,248   (ViT-base/16 at 224: N = 196, last_hidden_state (197, 768))
#   ViT-large/16 (d=1024 H=16 L=24 ff=4096): 304,351,232; ViT-base/32 at 384 (P=32 S=384): 88,118,784.
#
# ViTForImageClassification is ViTModel(config, add_pooling_layer=False) and a
# classifier Linear(d, num_labels) on last_hidden_state[:, 0, :]: replace the
# pooler line and the output line by
#   last_hidden_state[:, 0, :] -> Linear(d, num_labels, name=classifier)
# (ViT-base with ImageNet's 1000 labels: 86,567,656; tests/test_live_vit.py
# checks both against transformers).

model vit_base
convention torch

let layernorm = LayerNorm(d, eps=1e-12, name=layernorm)   # ViTModel.layernorm, after the layers

block patch_embeddings {                     # ViTPatchEmbeddings: projection(x).flatten(2).transpose(1, 2)
  Conv2d(3, d, P, stride=P, name=projection) -> Flatten(2) -> Transpose(1, 2)
}

block embeddings {                           # ViTEmbeddings
  patches = input -> patch_embeddings
  cls = Parameter(1, 1, d, name=cls_token)
  pos = Parameter(1, (S // P)**2 + 1, d, name=position_embeddings)
  h = Concatenate(cls, patches, dim=1)
  Add(h, pos) -> Dropout(0.0)
}

block attention {                            # ViTAttention (qkv_bias=True)
  q = input -> Linear(d, H * (d // H))       # q_proj
  k = input -> Linear(d, H * (d // H))       # k_proj
  v = input -> Linear(d, H * (d // H))       # v_proj
  ScaledDotProductAttention(H)(q, k, v) -> Linear(H * (d // H), d)   # o_proj
}

block mlp {                                  # ViTMLP
  Linear(d, ff) -> GELU -> Linear(ff, d)     # fc1, fc2
}

block layer {                                # ViTLayer, one of model.layers
  residual { LayerNorm(d, eps=1e-12) -> attention -> Dropout(0.0) }   # layernorm_before
  residual { LayerNorm(d, eps=1e-12) -> mlp -> Dropout(0.0) }         # layernorm_after
}

block pooler {                               # ViTPooler
  input[:, 0] -> Linear(d, d, name=dense) -> Tanh
}

last_hidden_state = input(3, S, S) -> embeddings -> repeat L { layer } -> layernorm
pooler_output = last_hidden_state -> pooler
output last_hidden_state, pooler_output
