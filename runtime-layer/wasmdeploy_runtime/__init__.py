"""The wasmdeploy WASM runtime: runs a function's module inside Lambda and locally.

Imports only the standard library and wasmtime (boto3 lazily, for S3 object
I/O). Entry points: `python -m wasmdeploy_runtime` (the custom runtime's
Runtime API loop, started by `bootstrap`), `wasmdeploy_runtime.managed.handler`
(python3.12 / python3.13 and Lambda@Edge), and `wasmdeploy_runtime.engine`
(the engine settings, used by the build to precompile `.cwasm` files).
Submodules load on demand so that importing the package costs nothing.
"""
