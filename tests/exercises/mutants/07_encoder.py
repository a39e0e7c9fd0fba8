# Typical wrong answers to lesson 7, one per cell: "# %% EXERCISE: what is wrong". Each must fail its check.

# %% encoder_forward: only the last layer's output, not a list of every layer's
def encoder_forward(embedding, rnns, x):
    output = embedding(x)
    for rnn in rnns:
        output, _ = rnn(output)
    return output

# %% encoder_forward: each layer's final hidden state h instead of its outputs
def encoder_forward(embedding, rnns, x):
    output, outputs = embedding(x), []
    for rnn in rnns:
        output, (h, c) = rnn(output)
        outputs.append(h)
    return outputs

# %% encoder_forward: each layer's input appended instead of its output
def encoder_forward(embedding, rnns, x):
    output, outputs = embedding(x), []
    for rnn in rnns:
        outputs.append(output)
        output, _ = rnn(output)
    return outputs

# %% encoder_forward: the embedding not used (the ids fed as floats)
def encoder_forward(embedding, rnns, x):
    output, outputs = embedding.weight[: x.size(0)].unsqueeze(1).expand(-1, x.size(1), -1), []
    for rnn in rnns:
        output, _ = rnn(output)
        outputs.append(output)
    return outputs

# %% tied_decoder: the weight copied instead of shared (a new Parameter)
def tied_decoder(encoder, bias=False):
    vocab, emb_sz = encoder.weight.shape
    decoder = nn.Linear(emb_sz, vocab, bias=bias)
    decoder.weight = nn.Parameter(encoder.weight.detach().clone())
    if bias:
        nn.init.zeros_(decoder.bias)
    return decoder

# %% tied_decoder: the values copied into the decoder's own Parameter (weight.data)
def tied_decoder(encoder, bias=False):
    vocab, emb_sz = encoder.weight.shape
    decoder = nn.Linear(emb_sz, vocab, bias=bias)
    decoder.weight.data = encoder.weight.data
    if bias:
        nn.init.zeros_(decoder.bias)
    return decoder

# %% tied_decoder: the bias left at its random init
def tied_decoder(encoder, bias=False):
    vocab, emb_sz = encoder.weight.shape
    decoder = nn.Linear(emb_sz, vocab, bias=bias)
    decoder.weight = encoder.weight
    return decoder

# %% tied_decoder: always a bias
def tied_decoder(encoder, bias=False):
    vocab, emb_sz = encoder.weight.shape
    decoder = nn.Linear(emb_sz, vocab)
    decoder.weight = encoder.weight
    nn.init.zeros_(decoder.bias)
    return decoder
