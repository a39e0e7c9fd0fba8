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

# %% encoder_forward: run under torch.no_grad(), so no weight gets a gradient
def encoder_forward(embedding, rnns, x):
    outputs = []
    with torch.no_grad():
        output = embedding(x)
        for rnn in rnns:
            output, _ = rnn(output)
            outputs.append(output)
    return outputs

# %% encoder_forward: each layer's output detached before the next layer reads it
def encoder_forward(embedding, rnns, x):
    output, outputs = embedding(x), []
    for rnn in rnns:
        output, _ = rnn(output)
        outputs.append(output)
        output = output.detach()
    return outputs

# %% encoder_forward: a zero state made with torch.zeros (float32, on the CPU, whatever the weights)
def encoder_forward(embedding, rnns, x):
    output, outputs = embedding(x), []
    for rnn in rnns:
        state = (torch.zeros(1, x.size(1), rnn.hidden_size), torch.zeros(1, x.size(1), rnn.hidden_size))
        output, _ = rnn(output, state)
        outputs.append(output)
    return outputs

# %% encoder_forward: the embedding looked up from weight.data (the embedding never learns)
def encoder_forward(embedding, rnns, x):
    output, outputs = embedding.weight.data[x], []
    for rnn in rnns:
        output, _ = rnn(output)
        outputs.append(output)
    return outputs

# %% tied_decoder: a new Parameter made from the embedding's (one storage, two Parameters)
def tied_decoder(encoder, bias=False):
    vocab, emb_sz = encoder.weight.shape
    decoder = nn.Linear(emb_sz, vocab, bias=bias, device=encoder.weight.device, dtype=encoder.weight.dtype)
    decoder.weight = nn.Parameter(encoder.weight)
    if bias:
        nn.init.zeros_(decoder.bias)
    return decoder

# %% tied_decoder: the bias made in float32 on the CPU, whatever the embedding
def tied_decoder(encoder, bias=False):
    vocab, emb_sz = encoder.weight.shape
    decoder = nn.Linear(emb_sz, vocab, bias=bias)
    decoder.weight = encoder.weight
    if bias:
        nn.init.zeros_(decoder.bias)
    return decoder

# %% tied_decoder: the values copied in place into the decoder's own weight
def tied_decoder(encoder, bias=False):
    vocab, emb_sz = encoder.weight.shape
    decoder = nn.Linear(emb_sz, vocab, bias=bias, device=encoder.weight.device, dtype=encoder.weight.dtype)
    with torch.no_grad():
        decoder.weight.copy_(encoder.weight)
        if bias:
            decoder.bias.zero_()
    return decoder

# %% test_LinearDecoder: a test that asserts nothing
def test_LinearDecoder(LinearDecoder):
    emb = nn.Embedding(10, 4)
    LinearDecoder(10, 4, tie_encoder=emb)(([torch.randn(2, 1, 4)], [torch.randn(2, 1, 4)]))

# %% test_LinearDecoder: a test that fails on the correct code (expects a bias by default)
def test_LinearDecoder(LinearDecoder):
    emb = nn.Embedding(10, 4)
    dec = LinearDecoder(10, 4, tie_encoder=emb)
    assert dec.decoder.weight is emb.weight
    assert dec.decoder.bias is not None

# %% test_LinearDecoder: tying compared by value (torch.equal), so a copy passes
def test_LinearDecoder(LinearDecoder):
    emb = nn.Embedding(10, 4)
    dec = LinearDecoder(10, 4, tie_encoder=emb, bias=True)
    assert torch.equal(dec.decoder.weight, emb.weight)
    assert torch.equal(dec.decoder.bias, torch.zeros(10))
    h = torch.randn(3, 2, 4)
    logits, raw, outs = dec.eval()(([h], [h]))
    assert torch.allclose(logits, h @ emb.weight.t())

# %% test_LinearDecoder: tying and bias only, the forward never run
def test_LinearDecoder(LinearDecoder):
    emb = nn.Embedding(10, 4)
    dec = LinearDecoder(10, 4, tie_encoder=emb, bias=True)
    assert dec.decoder.weight is emb.weight
    assert torch.equal(dec.decoder.bias, torch.zeros(10))
    assert len(list(nn.ModuleList([emb, dec]).parameters())) == 2

# %% predicted_loss: the logarithm in base 2
predicted_loss = math.log2(100)

# %% predicted_loss: the logarithm in base 10
predicted_loss = 2.0

# %% predicted_loss: the probability of a uniform guess, not its loss
predicted_loss = 1 / 100

# %% predicted_loss: a model that knows nothing has no loss
predicted_loss = 0.0
