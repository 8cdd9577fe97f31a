"""Talking to the Hugging Face Hub: addresses, one translation of its errors, the publish plan and commit."""
