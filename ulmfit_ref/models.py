"""AWD-LSTM encoder, tied decoder, concat-pooling classifier and their layer groups.

Every tensor of token ids is sequence-first, [seq_len, bs], as in the 2018 notebook (fastai 0.7).
The models return (logits, raw_outputs, outputs): the per-layer LSTM outputs before and after
dropout, which AR uses (outputs[-1]) and TAR uses (raw_outputs[-1]); the classifier adds the mask of real tokens.
"""

import torch
from torch import Tensor, nn

from .config import ClassifierConfig, LMConfig
from .regularize import EmbeddingDropout, LockedDropout, WeightDrop


class RNNEncoder(nn.Module):
    """Embedding and a stack of weight-dropped LSTMs; the last layer's size is `emb_sz` so the decoder can be tied.

    Stateful: each forward starts from the hidden state the previous one ended with (detached, in the
    weights' dtype); `reset()` goes back to zeros, as does a change of batch size, device or dtype.

    Taught in lesson 7; fastai 0.7: `RNN_Encoder`."""

    initrange = 0.1

    def __init__(self, vocab_size: int, emb_sz: int = 400, n_hid: int = 1150, n_layers: int = 3, pad_idx: int = 1,
                 hidden_p: float = 0.0, input_p: float = 0.0, embed_p: float = 0.0, weight_p: float = 0.0):
        super().__init__()
        if not 0 <= pad_idx < vocab_size:
            raise ValueError(f"pad_idx {pad_idx} is not an id of a vocabulary of size {vocab_size}")
        if min(emb_sz, n_hid, n_layers) < 1:
            raise ValueError(f"emb_sz, n_hid and n_layers must be at least 1, got {emb_sz}, {n_hid}, {n_layers}")
        self.n_layers = n_layers
        self.encoder = nn.Embedding(vocab_size, emb_sz, padding_idx=pad_idx)
        with torch.no_grad():
            self.encoder.weight.uniform_(-self.initrange, self.initrange)
            self.encoder.weight[pad_idx].zero_()
        self.encoder_dp = EmbeddingDropout(self.encoder, embed_p)
        sizes = [emb_sz] + [n_hid] * (n_layers - 1) + [emb_sz]
        self.rnns = nn.ModuleList(WeightDrop(nn.LSTM(n_in, n_out), weight_p) for n_in, n_out in zip(sizes, sizes[1:]))
        self.input_dp = LockedDropout(input_p)
        self.hidden_dps = nn.ModuleList(LockedDropout(hidden_p) for _ in range(n_layers - 1))
        self.hidden: list[tuple[Tensor, Tensor]] | None = None

    def reset(self) -> None:
        """Forget the hidden state: the next forward starts from zeros."""
        self.hidden = None

    def _zero_hidden(self, bs: int) -> list[tuple[Tensor, Tensor]]:
        """Zero (h, c) for every layer, on the weights' device and in their dtype."""
        w = self.encoder.weight
        sizes = [rnn.weight_hh_l0_raw.size(1) for rnn in self.rnns]
        return [(w.new_zeros(1, bs, n), w.new_zeros(1, bs, n)) for n in sizes]

    def forward(self, input: Tensor) -> tuple[list[Tensor], list[Tensor]]:
        if input.dim() != 2:
            raise ValueError(f"input must be [seq_len, bs] token ids, got shape {tuple(input.shape)}")
        bs, w = input.size(1), self.encoder.weight
        h0 = None if self.hidden is None else self.hidden[0][0]
        if h0 is None or (h0.size(1), h0.device, h0.dtype) != (bs, w.device, w.dtype):
            self.hidden = self._zero_hidden(bs)
        output = self.input_dp(self.encoder_dp(input))
        raw_outputs, outputs, new_hidden = [], [], []
        for i, rnn in enumerate(self.rnns):
            output, h = rnn(output, self.hidden[i])  # [seq_len, bs, n_out of layer i]
            new_hidden.append((h[0].detach().to(w.dtype), h[1].detach().to(w.dtype)))
            raw_outputs.append(output)
            if i < self.n_layers - 1:
                output = self.hidden_dps[i](output)
            outputs.append(output)
        self.hidden = new_hidden
        return raw_outputs, outputs


class LinearDecoder(nn.Module):
    """Output dropout then a linear layer to vocabulary logits; tied, its weight IS the embedding's Parameter.

    Taught in lesson 7; fastai 0.7: `LinearDecoder` (`tie_encoder`)."""

    initrange = 0.1

    def __init__(self, n_out: int, n_hid: int, output_p: float = 0.0, tie_encoder: nn.Embedding | None = None,
                 bias: bool = False):
        super().__init__()
        self.decoder = nn.Linear(n_hid, n_out, bias=bias)
        if tie_encoder is None:
            nn.init.uniform_(self.decoder.weight, -self.initrange, self.initrange)
        else:
            if tie_encoder.weight.shape != self.decoder.weight.shape:
                raise ValueError(f"cannot tie a decoder of shape {tuple(self.decoder.weight.shape)} "
                                 f"to an embedding of shape {tuple(tie_encoder.weight.shape)}")
            self.decoder.weight = tie_encoder.weight
        if bias:
            nn.init.zeros_(self.decoder.bias)
        self.output_dp = LockedDropout(output_p)

    def forward(self, input: tuple[list[Tensor], list[Tensor]]) -> tuple[Tensor, list[Tensor], list[Tensor]]:
        raw_outputs, outputs = input
        dropped = self.output_dp(outputs[-1])
        return self.decoder(dropped), raw_outputs, outputs[:-1] + [dropped]


class LanguageModel(nn.Sequential):
    """RNNEncoder then LinearDecoder: [seq_len, bs] ids -> ([seq_len, bs, vocab] logits, raw_outputs, outputs)."""

    def reset(self) -> None:
        """Reset the encoder's hidden state."""
        self[0].reset()

    def layer_groups(self) -> list[list[nn.Parameter]]:
        """Parameters for discriminative learning rates: [rnn 0], ..., [rnn n-1], [embedding + decoder]."""
        encoder, decoder = self[0], self[1]
        return [list(rnn.parameters()) for rnn in encoder.rnns] + [_unique(encoder.encoder, decoder)]


class MultiBatchEncoder(nn.Module):
    """Read [seq_len, bs] documents (padded at the end) in `bptt` chunks with a stateful RNNEncoder.

    Only the chunks that overlap a document's last `max_len` tokens are run with gradients and kept;
    returns their (raw_outputs, outputs) and a [kept_len, bs] mask of each document's last `max_len`
    real tokens, which the pooling reads.

    Taught in lesson 10; fastai 0.7: `MultiBatchRNN`."""

    def __init__(self, bptt: int, max_len: int, module: RNNEncoder):
        super().__init__()
        if bptt < 1 or max_len < 1:
            raise ValueError(f"bptt and max_len must be at least 1, got {bptt} and {max_len}")
        self.bptt, self.max_len, self.module = bptt, max_len, module

    def reset(self) -> None:
        """Reset the encoder's hidden state."""
        self.module.reset()

    def forward(self, input: Tensor, lengths: Tensor) -> tuple[list[Tensor], list[Tensor], Tensor]:
        if input.dim() != 2:
            raise ValueError(f"input must be [seq_len, bs] token ids, got shape {tuple(input.shape)}")
        sl, bs = input.shape
        lengths = lengths.to(input.device)
        if lengths.shape != (bs,) or lengths.min() < 1 or lengths.max() > sl:
            raise ValueError(f"lengths must be {bs} values in [1, {sl}], got {lengths.tolist()}")
        self.module.reset()
        window_start = (lengths - self.max_len).clamp(min=0)
        first_kept = int(window_start.min()) // self.bptt * self.bptt
        chunks = []
        for i in range(0, sl, self.bptt):
            with torch.set_grad_enabled(torch.is_grad_enabled() and i >= first_kept):
                raw_outputs, outputs = self.module(input[i:i + self.bptt])
            if i >= first_kept:
                chunks.append((raw_outputs, outputs))
        raw_outputs = [torch.cat(layer) for layer in zip(*(raw for raw, _ in chunks))]
        outputs = [torch.cat(layer) for layer in zip(*(out for _, out in chunks))]
        pos = torch.arange(first_kept, sl, device=input.device).unsqueeze(1)
        mask = (pos >= window_start) & (pos < lengths)
        return raw_outputs, outputs, mask


class PoolingLinearClassifier(nn.Module):
    """Concat pooling (last real state, max and mean over the mask), then BatchNorm-Dropout-Linear blocks with ReLU.

    Taught in lesson 10; fastai 0.7: `PoolingLinearClassifier`."""

    def __init__(self, layers: list[int], drops: list[float]):
        super().__init__()
        if len(layers) < 2 or len(drops) != len(layers) - 1:
            raise ValueError(f"need at least two layer sizes and one dropout per block, got {layers} and {drops}")
        self.layers = nn.ModuleList(
            nn.Sequential(nn.BatchNorm1d(n_in), nn.Dropout(p), nn.Linear(n_in, n_out))
            for n_in, n_out, p in zip(layers, layers[1:], drops))

    @staticmethod
    def pool(output: Tensor, mask: Tensor) -> Tensor:
        """[last, max, mean] of [seq_len, bs, n] `output` over the positions where `mask` is True.

        Taught in lesson 10; fastai 0.7: `PoolingLinearClassifier.pool`."""
        pos = torch.arange(output.size(0), device=output.device).unsqueeze(1)
        last = torch.where(mask, pos, -1).amax(0)
        last_state = output[last, torch.arange(output.size(1), device=output.device)]
        mask = mask.unsqueeze(2)
        max_pool = output.masked_fill(~mask, float("-inf")).amax(0)
        mean_pool = (output * mask).sum(0) / mask.sum(0)
        return torch.cat([last_state, max_pool, mean_pool], 1)

    def forward(self, raw_outputs: list[Tensor], outputs: list[Tensor],
                mask: Tensor) -> tuple[Tensor, list[Tensor], list[Tensor], Tensor]:
        x = self.pool(outputs[-1], mask)
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = torch.relu(x)
        return x, raw_outputs, outputs, mask


class TextClassifier(nn.Sequential):
    """MultiBatchEncoder then PoolingLinearClassifier: ([seq_len, bs] ids, [bs] lengths) -> ([bs, n_classes] logits,
    raw_outputs, outputs, mask), the mask marking the real tokens of the outputs, so AR/TAR skip the padding."""

    def forward(self, input: Tensor, lengths: Tensor) -> tuple[Tensor, list[Tensor], list[Tensor], Tensor]:
        return self[1](*self[0](input, lengths))

    def reset(self) -> None:
        """Reset the encoder's hidden state."""
        self[0].reset()

    def layer_groups(self) -> list[list[nn.Parameter]]:
        """Parameters for discriminative learning rates: [embedding], [rnn 0], ..., [rnn n-1], [head]."""
        encoder = self[0].module
        rnns = [list(rnn.parameters()) for rnn in encoder.rnns]
        return [list(encoder.encoder.parameters())] + rnns + [list(self[1].parameters())]


def _unique(*modules: nn.Module) -> list[nn.Parameter]:
    """The parameters of `modules`, each once (a tied weight belongs to two modules)."""
    params = {}
    for m in modules:
        for p in m.parameters():
            params[id(p)] = p
    return list(params.values())


def _check_vocab(vocab_size: int, pad_idx: int) -> None:
    """Raise ValueError unless `vocab_size` can hold `pad_idx`."""
    if vocab_size < 1 or not 0 <= pad_idx < vocab_size:
        raise ValueError(f"vocab_size {vocab_size} must be positive and hold pad_idx {pad_idx}")


def get_language_model(vocab_size: int, config: LMConfig = LMConfig()) -> LanguageModel:
    """The AWD-LSTM language model of `config` for a vocabulary of `vocab_size` words.

    Taught in lesson 7; fastai 0.7: `get_language_model`."""
    _check_vocab(vocab_size, config.pad_idx)
    m = config.drop_mult
    encoder = RNNEncoder(vocab_size, config.emb_sz, config.n_hid, config.n_layers, config.pad_idx,
                         hidden_p=config.hidden_p * m, input_p=config.input_p * m,
                         embed_p=config.embed_p * m, weight_p=config.weight_p * m)
    tied = encoder.encoder if config.tie_weights else None
    decoder = LinearDecoder(vocab_size, config.emb_sz, config.output_p * m, tie_encoder=tied, bias=config.out_bias)
    return LanguageModel(encoder, decoder)


def get_classifier(vocab_size: int, n_classes: int, config: ClassifierConfig = ClassifierConfig()) -> TextClassifier:
    """The ULMFiT classifier of `config`: a MultiBatchEncoder, a concat-pooling head [emb_sz*3, head_sz, n_classes].

    Taught in lesson 10; fastai 0.7: `get_rnn_classifier`."""
    _check_vocab(vocab_size, config.pad_idx)
    if n_classes < 2:
        raise ValueError(f"n_classes must be at least 2, got {n_classes}")
    m = config.drop_mult
    encoder = RNNEncoder(vocab_size, config.emb_sz, config.n_hid, config.n_layers, config.pad_idx,
                         hidden_p=config.hidden_p * m, input_p=config.input_p * m,
                         embed_p=config.embed_p * m, weight_p=config.weight_p * m)
    head = PoolingLinearClassifier([config.emb_sz * 3, config.head_sz, n_classes], [config.output_p * m, config.head_p])
    return TextClassifier(MultiBatchEncoder(config.bptt, config.max_len, encoder), head)
