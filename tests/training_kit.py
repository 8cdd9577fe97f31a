"""What the training tests need, made on the spot with no download: data, a tokenizer, a model.

- ``records``: a few dozen records written here, every answer style in every run of four
  (the tests build them with ``dolly-ja-16k build``);
- ``tiny_tokenizer``: a byte-level BPE of a few hundred tokens trained on that data with
  ``tokenizers``, wrapped in ``PreTrainedTokenizerFast``, with a chat template whose
  assistant turn sits in ``{% generation %}`` (so ``assistant_only_loss`` can mask);
- ``tiny_model``: a one-layer ``LlamaForCausalLM`` with hidden size 32.

Importing this module needs torch, transformers and tokenizers (the ``train`` extra).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import orjson
import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

PAD, BOS, EOS = "<pad>", "<s>", "</s>"
ROLE_TOKENS = ("<|system|>", "<|user|>", "<|assistant|>")
VOCAB_SIZE = 400
#: Each turn starts with its role token and a line break and ends with one; the assistant's
#: content and EOS are the ``generation`` span, so they are all the loss sees.
CHAT_TEMPLATE = (
    "{%- for message in messages -%}"
    "{%- if message['role'] == 'assistant' -%}"
    "{{ '<|assistant|>\n' }}{% generation %}{{ message['content'] + eos_token }}{% endgeneration %}{{ '\n' }}"
    "{%- else -%}"
    "{{ '<|' + message['role'] + '|>\n' + message['content'] + '\n' }}"
    "{%- endif -%}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ '<|assistant|>\n' }}{%- endif -%}"
)

# Written for these tests: short questions with answers in each style the tagger knows.
_QUESTIONS = [
    ("日本で一番高い山は？", "", "富士山"),
    ("次の文章を要約してください。", "猫は昼間よく眠り、夜になると活発に動き回る。", "猫は夜行性"),
    ("水の沸点を教えてください。", "", "水は100度で沸騰"),
    ("この中で果物はどれ？", "りんご、にんじん、たまねぎ", "りんご"),
    ("東京タワーの高さは？", "", "333メートル"),
    ("次の単語を英語に訳してください。", "犬", "dog"),
    ("光合成とは何か説明してください。", "", "植物が光で養分を作る仕組み"),
    ("次の数の合計を求めてください。", "3、5、7", "15"),
]
_ANSWERS = {
    "keitai": lambda a: f"答えは{a}です。ご参考になれば幸いです。",
    "jotai": lambda a: f"答えは{a}である。覚えておくとよい。",
    "mixed": lambda a: f"答えは{a}です。覚えておくとよい。",
    "none": lambda a: f"{a}。",
}


def records(count: int = 32) -> list[dict[str, str]]:
    """``count`` distinct records whose answers take every style in every run of four."""
    out = []
    styles = list(_ANSWERS)
    for i, question in enumerate(itertools.islice(itertools.cycle(_QUESTIONS), count)):
        instruction, given, answer = question
        style = styles[(i + i // len(_QUESTIONS)) % len(styles)]  # a question's next round: the next style
        out.append({"instruction": instruction, "input": given, "output": _ANSWERS[style](answer),
                    "category": "open_qa" if not given else "closed_qa", "index": str(i)})
    return out


def tiny_tokenizer(texts: list[str]) -> PreTrainedTokenizerFast:
    """A byte-level BPE of ``VOCAB_SIZE`` tokens trained on ``texts``, with the chat template above."""
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=VOCAB_SIZE, special_tokens=[PAD, BOS, EOS, *ROLE_TOKENS],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tokenizer.train_from_iterator(texts, trainer=trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, bos_token=BOS, eos_token=EOS, pad_token=PAD,
                                   chat_template=CHAT_TEMPLATE)


def texts_of(rows_file: Path) -> list[str]:
    """Every message text of a training file (what the tokenizer is trained on)."""
    out = []
    for line in rows_file.read_bytes().splitlines():
        row = orjson.loads(line)
        for key in ("messages", "prompt", "completion"):
            out += [m["content"] for m in row.get(key, [])]
    return out


def tiny_model(tokenizer: PreTrainedTokenizerFast) -> LlamaForCausalLM:
    """One layer, hidden size 32, random weights from a fixed seed."""
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
                         pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id,
                         eos_token_id=tokenizer.eos_token_id)
    return LlamaForCausalLM(config)
