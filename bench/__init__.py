"""Python helpers of `npm run bench`, run from the repository root as modules (scripts/py -m bench.torch_bench)."""
