# Correct answers to lesson 7 written differently from the solution, one per cell: "# %% EXERCISE: how it differs".

# %% encoder_forward: each LSTM given an explicit zero state
def encoder_forward(embedding: nn.Embedding, rnns: list, x: torch.Tensor) -> list:
    out, outs = embedding(x), []
    for rnn in rnns:
        zeros = embedding.weight.new_zeros(1, x.size(1), rnn.hidden_size)
        state = (zeros, zeros)
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
    w = encoder.weight
    decoder = nn.Linear(encoder.embedding_dim, encoder.num_embeddings, bias=bias, device=w.device, dtype=w.dtype)
    decoder.register_parameter("weight", w)
    if decoder.bias is not None:
        with torch.no_grad():
            decoder.bias.fill_(0.0)
    return decoder

# %% tied_decoder: the shape read from the weight, moved with .to(weight), the bias zeroed through .data
def tied_decoder(encoder: nn.Embedding, bias: bool = False) -> nn.Linear:
    n_words, n_features = encoder.weight.shape
    layer = nn.Linear(n_features, n_words, bias).to(encoder.weight)
    layer.weight = encoder.weight
    if bias:
        layer.bias.data.zero_()
    return layer

# %% test_LinearDecoder: tying checked by a change seen from the other side and by the parameter count
def test_LinearDecoder(LinearDecoder) -> None:
    emb = nn.Embedding(7, 3)
    dec = LinearDecoder(7, 3, tie_encoder=emb, bias=True)
    with torch.no_grad():
        emb.weight.add_(1.0)
    assert torch.equal(dec.decoder.weight, emb.weight)
    assert len({id(p) for p in nn.ModuleList([emb, dec]).parameters()}) == 2
    assert dec.decoder.bias is not None and not dec.decoder.bias.any()
    out = torch.randn(5, 2, 3)
    logits, raw, outs = dec.eval()(([out], [out]))
    assert logits.shape == (5, 2, 7) and torch.equal(outs[0], out)
    assert torch.allclose(logits, torch.nn.functional.linear(out, emb.weight, dec.decoder.bias))
    dec = LinearDecoder(7, 3, output_p=0.6, tie_encoder=emb)
    dec.train()
    logits, raw, outs = dec(([out], [out]))
    assert bool((outs[-1] == 0).any()) and raw[0] is out
    assert torch.allclose(logits, torch.nn.functional.linear(outs[-1], emb.weight))
    dec.eval()
    assert torch.equal(dec(([out], [out]))[2][-1], out)
    assert LinearDecoder(7, 3).decoder.out_features == 7
    raised = False
    try:
        LinearDecoder(7, 4, tie_encoder=emb)
    except ValueError:
        raised = True
    assert raised

# %% test_LinearDecoder: the checks in a loop over two sizes, the untied decoder's sizes first
def test_LinearDecoder(LinearDecoder) -> None:
    for n_out, n_hid in ((5, 2), (12, 6)):
        plain = LinearDecoder(n_out, n_hid)
        assert (plain.decoder.in_features, plain.decoder.out_features) == (n_hid, n_out)
        emb = nn.Embedding(n_out, n_hid)
        tied = LinearDecoder(n_out, n_hid, output_p=0.5, tie_encoder=emb, bias=True)
        assert tied.decoder.weight is emb.weight
        assert torch.count_nonzero(tied.decoder.bias) == 0
        h = torch.rand(4, 3, n_hid) + 0.1
        for training in (True, False):
            tied.train(training)
            logits, raw, outs = tied(([h], [h]))
            dropped = outs[-1]
            assert bool((dropped == 0).any()) == training
            assert torch.allclose(logits, dropped @ emb.weight.T + tied.decoder.bias, atol=1e-6)
        try:
            LinearDecoder(n_out + 1, n_hid, tie_encoder=emb)
            assert False, "a shape mismatch should raise"
        except ValueError:
            pass

# %% predicted_loss: the logarithm of the vocabulary's size, as a decimal
predicted_loss = 4.6

# %% predicted_loss: minus the log-probability of a uniform guess
predicted_loss = -math.log(1 / 100)
