"""Writing a build: the staging folder and its swap, the training formats, the card and its pictures."""
