"""Train TRL's SFTTrainer for two steps on published configs, loaded by name, in a fresh process.

Like ``read_back.py``: tests run it with ``HF_ENDPOINT`` at the olah server. Usage::

    python train_back.py '[{"repo": "alice/x", "config": "2_of_4-messages"}, ...]'

For each config: ``load_dataset(repo, config, split="train")``, a tokenizer trained on its
texts and a one-layer Llama (``tests/training_kit.py``), two steps with the loss on the
assistant turn (``messages``) or the completion (``prompt_completion``). Prints one JSON
list: rows, columns, steps and losses per config.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the tests package (training_kit)


def train(request: dict[str, Any], out: Path) -> dict[str, Any]:
    import datasets
    from trl import SFTConfig, SFTTrainer

    from tests import training_kit

    dataset = datasets.load_dataset(request["repo"], request["config"], split="train")
    chat = "messages" in dataset.column_names
    texts = [m["content"] for row in dataset
             for m in (row["messages"] if chat else row["prompt"] + row["completion"])]
    tokenizer = training_kit.tiny_tokenizer(texts)
    args = SFTConfig(output_dir=str(out), max_steps=2, per_device_train_batch_size=2, report_to=[], use_cpu=True,
                     save_strategy="no", logging_steps=1, seed=0, max_length=256,
                     assistant_only_loss=chat, completion_only_loss=not chat)
    trainer = SFTTrainer(model=training_kit.tiny_model(tokenizer), args=args, train_dataset=dataset,
                         processing_class=tokenizer)
    result = trainer.train()
    return {"config": request["config"], "rows": dataset.num_rows, "columns": dataset.column_names,
            "steps": result.global_step,
            "losses": [e["loss"] for e in trainer.state.log_history if "loss" in e]}


def main() -> None:
    import datasets

    datasets.disable_progress_bars()
    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps([train(r, Path(tmp) / str(n)) for n, r in enumerate(json.loads(sys.argv[1]))]))


if __name__ == "__main__":
    main()
