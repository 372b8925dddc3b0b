"""wasmdeploy: deploy WebAssembly functions to AWS from one manifest."""

__version__ = "0.1.0"
