from dolly_ja_16k.cli import run

run()
