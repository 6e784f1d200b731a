"""The native reference embedder: CPython onnxruntime + Hugging Face tokenizers on the same
vendored files the page loads (web/vendor/models/all-MiniLM-L6-v2, scripts/vendor_embeddings.py).

Used by the Chromium accuracy test, the relevance set and the throughput benchmark: the same
tokenisation (256-token truncation), mean pooling over the attention mask and normalisation
as web/embed/worker.mjs.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODEL_DIR = ROOT / "web" / "vendor" / "models" / "all-MiniLM-L6-v2"
MAX_TOKENS = 256


class ReferenceEmbedder:
    """Unit vectors for texts, natively (``embed`` returns a numpy array, one row per text)."""

    def __init__(self, threads: int = 0) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        if not (MODEL_DIR / "onnx" / "model_quantized.onnx").exists():
            raise FileNotFoundError(f"{MODEL_DIR} is missing: run `make setup`")
        options = onnxruntime.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        self.session = onnxruntime.InferenceSession(
            str(MODEL_DIR / "onnx" / "model_quantized.onnx"), options,
            providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(MODEL_DIR / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding()

    def count_tokens(self, text: str) -> int:
        """Word pieces of ``text`` with [CLS] and [SEP], before truncation."""
        self.tokenizer.no_truncation()
        try:
            return len(self.tokenizer.encode(text).ids)
        finally:
            self.tokenizer.enable_truncation(MAX_TOKENS)

    def embed(self, texts: list[str], batch: int = 16):
        import numpy as np

        out = np.zeros((len(texts), 384), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), batch):
            picked = order[start:start + batch]
            encoded = self.tokenizer.encode_batch([texts[i] for i in picked])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask,
                                             "token_type_ids": np.zeros_like(ids)})[0]
            summed = (hidden * mask[..., None]).sum(axis=1) / np.maximum(mask.sum(axis=1), 1)[:, None]
            out[picked] = summed / np.linalg.norm(summed, axis=1, keepdims=True)
        return out
