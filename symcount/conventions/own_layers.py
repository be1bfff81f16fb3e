"""symcount's own layers of a convention: rows whose framework has no class of
that name (torch's attention function, Hugging Face's rotary module, a tied
head, torch.cat, a bare buffer), by convention. A model of another convention that names one
is told where it belongs, not offered a look-alike with another count
(RotaryEmbedding is not Embedding). Data only, so base.py can read it without
loading the tables; tests/test_sdpa.py checks it against them."""

OWN_LAYERS = {
    "torch": frozenset(
        {
            "Buffer",
            "Cat",
            "RotaryEmbedding",
            "ScaledDotProductAttention",
            "TiedLinear",
            "Transpose",
            "View",
        }
    ),
}
