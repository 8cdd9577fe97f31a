"""TRL's SFTTrainer trains on every training config loaded by name, with no conversion code.

Each config is loaded from a build-shaped folder with ``datasets.load_dataset(folder, NAME,
split="train")`` and handed as is to ``SFTTrainer``, which trains a one-layer Llama for two
steps on CPU. The loss must be finite, and on a real collated batch only the assistant
turn (``messages``, ``assistant_only_loss``) or the completion (``prompt_completion``,
``completion_only_loss``) may carry labels. Nothing is downloaded: the tokenizer and the
model are made here (``training_kit``) and every network connection is refused.

Needs the ``train`` extra (``pip install ".[train]"``); without it these tests skip, unless
``DOLLY_JA_16K_REQUIRE_TRAINING`` is set (as ``.ci/run`` does), where they fail instead.
"""

from __future__ import annotations

import importlib.util
import math
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dolly_ja_16k import layout
from dolly_ja_16k.write import formats

REQUIRED = ("torch", "transformers", "trl", "tokenizers", "accelerate")
_missing = [name for name in REQUIRED if importlib.util.find_spec(name) is None]
if _missing:
    _reason = f"training tests need {', '.join(_missing)} (not installed): pip install \".[test,train]\""
    if os.environ.get("DOLLY_JA_16K_REQUIRE_TRAINING"):
        pytest.fail(_reason + " (DOLLY_JA_16K_REQUIRE_TRAINING is set, so this is an error)", pytrace=False)
    pytest.skip(_reason, allow_module_level=True)

import datasets  # noqa: E402
from trl import SFTConfig, SFTTrainer  # noqa: E402

from tests import training_kit  # noqa: E402
from tests.conftest import read_jsonl, run_cli, write_jsonl  # noqa: E402

PARTS = 2
IGNORE = -100
pytest_plugins = ["tests.hub.fixtures"]


@pytest.fixture(scope="module")
def no_network() -> Iterator[None]:
    """Refuse every internet connection: the tests must not download anything."""
    real_connect = socket.socket.connect

    def refuse(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            raise OSError(f"training tests are offline; refused a connection to {address}")
        real_connect(sock, address)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        yield


def _build(tmp: Path, system_prompts: str) -> Path:
    """The kit's records built in contiguous parts with ``system_prompts``: the build folder."""
    src = write_jsonl(tmp / "src.jsonl", training_kit.records())
    folder = tmp / "build"
    result = run_cli("build", "--source", src, "--out", folder, "--parts", str(PARTS), "--strategy", "contiguous",
                     "--system-prompts", system_prompts)
    assert result.returncode == 0, result.stderr
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[dict]]]:
    """A real build (contiguous parts, style system prompts) and its parts' records."""
    folder = _build(tmp_path_factory.mktemp("training-data"), "style")
    return folder, {name: read_jsonl(folder / layout.part_file(name)) for name in layout.part_names(PARTS)}


@pytest.fixture(scope="module")
def tokenizer(built: tuple[Path, dict]) -> Any:
    folder, parts = built
    texts = [t for name in parts for t in training_kit.texts_of(folder / layout.format_file(name, "messages"))]
    return training_kit.tiny_tokenizer(texts)


def _conversation(row: dict[str, Any]) -> list[dict[str, str]]:
    return row["messages"] if "messages" in row else row["prompt"] + row["completion"]


def _check_batch_labels(batch: dict[str, Any], rows: list[dict[str, Any]], tokenizer: Any, fmt: str) -> int:
    """Every supervised token is the assistant's; everything before it (system, user) is ignored.

    Returns how many rows carried a system message (the style-aware prompts reached the model).
    """
    rendered = {tokenizer.apply_chat_template(_conversation(r), tokenize=False): r for r in rows}
    with_system = 0
    for ids, labels, mask in zip(batch["input_ids"], batch["labels"], batch["attention_mask"], strict=True):
        ids, labels = ids[mask.bool()], labels[mask.bool()]
        text = tokenizer.decode(ids)
        assert text in rendered, f"batch row is not one of the config's conversations: {text!r}"
        conversation = _conversation(rendered[text])
        trained = (labels != IGNORE).nonzero().flatten().tolist()
        assert trained == list(range(trained[0], trained[-1] + 1)), "labels are not one contiguous span"
        assert all(labels[i] == ids[i] for i in trained)
        # the assistant's content and EOS; prompt/completion also trains the line break after it
        expected = conversation[-1]["content"] + tokenizer.eos_token + ("\n" if fmt != "messages" else "")
        assert tokenizer.decode(ids[trained[0]:trained[-1] + 1]) == expected
        ignored = tokenizer.decode(ids[:trained[0]])
        for message in conversation[:-1]:
            assert message["content"] in ignored, f"{message['role']} turn is not masked"
        with_system += conversation[0]["role"] == "system"
    return with_system


@pytest.mark.parametrize(("part", "fmt"), [(p, f) for p in layout.part_names(PARTS) for f in layout.TRAINING_FORMATS])
def test_sft_trainer_trains_on_the_config_as_loaded(part: str, fmt: str, built: tuple[Path, dict], tokenizer: Any,
                                                   tmp_path: Path, no_network: None) -> None:
    folder, parts = built
    expected = sum(formats.system_prompt(r, "style") is not None for r in parts[part])
    _train_on(folder, part, fmt, len(parts[part]), expected, tokenizer, tmp_path)


@pytest.fixture(scope="module")
def built_control(built: tuple[Path, dict], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same source built with ``--system-prompts style-control``."""
    return _build(tmp_path_factory.mktemp("training-control"), "style-control")


def test_sft_trainer_trains_on_the_style_control_messages(built: tuple[Path, dict], built_control: Path,
                                                         tokenizer: Any, tmp_path: Path, no_network: None) -> None:
    from dolly_ja_16k.style_control import style_control

    _, parts = built
    part = layout.part_names(PARTS)[0]
    asked = [r for r in style_control(parts[part], 42) if "register" in r]
    assert {r["register"] for r in asked} == {"keitai", "jotai"}  # both requests reach the model
    _train_on(built_control, part, layout.MESSAGES_FORMAT, len(parts[part]), len(asked), tokenizer, tmp_path)


def _train_on(folder: Path, part: str, fmt: str, records: int, with_system_prompt: int, tokenizer: Any,
              tmp_path: Path) -> None:
    """Load one training config by name, train two steps on it, check the labels and the system messages."""
    config = layout.format_config_name(part, fmt)
    dataset = datasets.load_dataset(str(folder), config, split="train")
    assert dataset.num_rows == records
    assert {"category", "index", "style"} <= set(dataset.column_names)

    args = SFTConfig(
        output_dir=str(tmp_path), max_steps=2, per_device_train_batch_size=2, report_to=[], use_cpu=True,
        save_strategy="no", logging_steps=1, seed=0, max_length=256,
        assistant_only_loss=fmt == layout.MESSAGES_FORMAT,
        completion_only_loss=fmt == layout.PROMPT_COMPLETION_FORMAT,
    )
    trainer = SFTTrainer(model=training_kit.tiny_model(tokenizer), args=args, train_dataset=dataset,
                         processing_class=tokenizer)

    batch = next(iter(trainer.get_train_dataloader()))
    rows = list(dataset)
    _check_batch_labels(batch, rows, tokenizer, fmt)
    # over the whole prepared dataset: the system messages are there and masked
    prepared = trainer.train_dataset
    assert isinstance(prepared, datasets.Dataset) and prepared.num_rows == dataset.num_rows  # none dropped
    added = [name for name in prepared.column_names if name not in dataset.column_names]  # input_ids, labels…
    every = trainer.data_collator([{k: row[k] for k in added} for row in prepared])
    with_system = _check_batch_labels(every, rows, tokenizer, fmt)
    assert with_system == with_system_prompt > 0

    start = time.perf_counter()
    result = trainer.train()
    seconds = time.perf_counter() - start
    losses = [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]
    assert result.global_step == 2 and len(losses) == 2
    assert all(math.isfinite(loss) and loss > 0 for loss in [*losses, result.training_loss])
    print(f"{config}: 2 steps in {seconds:.2f} s, losses {losses}")


# -- the same configs, published (both layouts) and loaded by name through the Hub ------------------

def test_published_training_configs_load_by_name_and_train(built: tuple[Path, dict], hub: Any, olah: Any,
                                                             repo_id: str, tmp_path: Path) -> None:
    """Published as one repo and as per-part repos, each training config loads by name through
    olah (as from the Hub) and SFTTrainer trains two steps on it, in a fresh process."""
    import json
    import subprocess
    import sys

    from tests.hub.clients import CLI_TIMEOUT, hub_env
    from tests.hub.test_publish import publish

    folder, parts = built
    for layout_args in ([], ["--layout", "per-part"]):
        result = publish(hub, tmp_path, folder, repo_id, *layout_args)
        assert result.returncode == 0, result.stderr
    requests = [{"repo": repo_id, "config": layout.format_config_name(part, fmt)}
                for part in layout.part_names(PARTS) for fmt in layout.TRAINING_FORMATS]
    requests += [{"repo": f"{repo_id}-{part}", "config": fmt} for part in parts for fmt in layout.TRAINING_FORMATS]
    script = Path(__file__).with_name("hub") / "train_back.py"
    proc = subprocess.run([sys.executable, str(script), json.dumps(requests)], capture_output=True, text=True,
                          env=hub_env(olah.url, tmp_path / "hf-home-train"), cwd=tmp_path, timeout=CLI_TIMEOUT * 2)
    assert proc.returncode == 0, proc.stderr[-4000:]
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    for request, got in zip(requests, results, strict=True):
        part = request["repo"][len(repo_id) + 1:] or request["config"].split("-")[0]
        assert got["rows"] == len(parts[part]), request
        assert {"category", "index", "style"} <= set(got["columns"]), request
        assert got["steps"] == 2 and len(got["losses"]) == 2
        assert all(math.isfinite(loss) and loss > 0 for loss in got["losses"]), request


# -- the validation split as eval_dataset ------------------------------------------------------------

@pytest.mark.parametrize("fmt", layout.TRAINING_FORMATS)
def test_sft_trainer_reports_an_eval_loss_on_the_validation_split(fmt: str, tokenizer: Any, tmp_path: Path,
                                                                   no_network: None) -> None:
    """A build with ``--validation-size 8``: the part's training config loads by name with its
    ``validation`` split, which SFTTrainer takes as ``eval_dataset`` and reports a loss on."""
    src = write_jsonl(tmp_path / "src.jsonl", training_kit.records())
    folder = tmp_path / "build"
    result = run_cli("build", "--source", src, "--out", folder, "--parts", str(PARTS), "--validation-size", "8")
    assert result.returncode == 0, result.stderr
    config = layout.format_config_name("1_of_2", fmt)
    train = datasets.load_dataset(str(folder), config, split="train")
    held = datasets.load_dataset(str(folder), config, split="validation")
    assert held.num_rows == 8 and not set(held["index"]) & set(train["index"])
    args = SFTConfig(
        output_dir=str(tmp_path / "out"), max_steps=2, per_device_train_batch_size=2, per_device_eval_batch_size=4,
        report_to=[], use_cpu=True, save_strategy="no", logging_steps=1, seed=0, max_length=256,
        eval_strategy="steps", eval_steps=2,
        assistant_only_loss=fmt == layout.MESSAGES_FORMAT,
        completion_only_loss=fmt == layout.PROMPT_COMPLETION_FORMAT,
    )
    trainer = SFTTrainer(model=training_kit.tiny_model(tokenizer), args=args, train_dataset=train,
                         eval_dataset={"validation": held}, processing_class=tokenizer)
    trainer.train()
    evaluated = [entry["eval_validation_loss"] for entry in trainer.state.log_history
                 if "eval_validation_loss" in entry]
    assert len(evaluated) == 1 and math.isfinite(evaluated[0]) and evaluated[0] > 0
    print(f"{config}: eval loss on the validation split {evaluated[0]:.3f}")
