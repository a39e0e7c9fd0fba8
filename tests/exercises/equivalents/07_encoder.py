# Correct answers to lesson 7 written differently from the solution, one per cell: "# %% EXERCISE: how it differs".

# %% encoder_forward: each LSTM given an explicit zero state
def encoder_forward(embedding: nn.Embedding, rnns: list, x: torch.Tensor) -> list:
    out, outs = embedding(x), []
    for rnn in rnns:
        state = (torch.zeros(1, x.size(1), rnn.hidden_size), torch.zeros(1, x.size(1), rnn.hidden_size))
        out = rnn(out, state)[0]
        outs.append(out)
    return outs

# %% encoder_forward: F.embedding on the weight, and a recursion over the layers
def encoder_forward(embedding: nn.Embedding, rnns: list, x: torch.Tensor) -> list:
    def run(inp, layers):
        if not layers:
            return []
        out, _ = layers[0](inp)
        return [out] + run(out, layers[1:])

    return run(torch.nn.functional.embedding(x, embedding.weight, embedding.padding_idx), list(rnns))

# %% tied_decoder: the weight registered with register_parameter, the bias zeroed with fill_
def tied_decoder(encoder: nn.Embedding, bias: bool = False) -> nn.Linear:
    decoder = nn.Linear(encoder.embedding_dim, encoder.num_embeddings, bias=bias)
    decoder.register_parameter("weight", encoder.weight)
    if decoder.bias is not None:
        with torch.no_grad():
            decoder.bias.fill_(0.0)
    return decoder

# %% tied_decoder: the shape read from the weight, the bias zeroed through .data
def tied_decoder(encoder: nn.Embedding, bias: bool = False) -> nn.Linear:
    n_words, n_features = encoder.weight.shape
    layer = nn.Linear(n_features, n_words, bias)
    layer.weight = encoder.weight
    if bias:
        layer.bias.data.zero_()
    return layer
