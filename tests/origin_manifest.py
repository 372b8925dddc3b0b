"""The origin manifest of DESIGN.md, byte for byte: it must validate and deploy unchanged."""

ORIGIN_MANIFEST = """\
service: wasm-function-service
provider:
  name: aws
  runtime: provided.al2
functions:
  processImage:
    handler: wasm-handler
    events:
      - s3:
          bucket: image-processing-bucket
          event: s3:ObjectCreated:*
    runtime: wasmtime
"""
