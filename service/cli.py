"""`jixiao` — the command line. Each command lives in `service/commands/<name>.py` and registers
itself on the app; this file only assembles them."""

from __future__ import annotations

import os

# before anything imports the embedding engine or torch: no busy-waiting OpenMP threads,
# no hub downloads, no Chroma telemetry
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import typer

from service.commands import ask, audit, backfill, check, documents, evaluate, serve, worker

app = typer.Typer(
    name="jixiao",
    help="绩效 jixiao — 绩效评价报告问答助手：带页码引用的回答，每个数字都有出处或计算公式。",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)

for module in (documents, ask, check, audit, serve, worker, evaluate, backfill):
    module.register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
