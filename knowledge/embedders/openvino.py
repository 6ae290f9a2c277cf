"""EmbeddingGemma on OpenVINO (the folder made by knowledge/optimized.py).

Same tokenizer, prompts, 512-token window and normalised 768-d output as the
sentence-transformers embedder; bf16 products where the CPU has them.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from knowledge.embedders.batching import QueryBatcher
from knowledge.optimized import MAX_SEQUENCE_TOKENS, MODEL_FILE, RUNTIME

# Questions are padded to one of these lengths: each change of input shape costs the
# dynamic graph a re-preparation (~10 ms of a ~30 ms question), and nearly all questions
# fit the first width (bench/README.md, "Query latency").
QUERY_WIDTHS = (32, 64, 128, 256, MAX_SEQUENCE_TOKENS)


class OpenVinoEmbedder:
    def __init__(
        self, weights: Path, optimized: Path, model_id: str, batch_size: int, threads: int
    ) -> None:
        import openvino
        from tokenizers import Tokenizer

        # The model's tokenizer.json through `tokenizers` itself: the same ids as transformers'
        # AutoTokenizer (tested), without importing transformers and torch (~350 MB of RSS).
        self._tokenizer = Tokenizer.from_file(str(weights / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_SEQUENCE_TOKENS)
        core = openvino.Core()
        capabilities = core.get_property("CPU", "OPTIMIZATION_CAPABILITIES")
        config = {
            # Explicit: OpenVINO would otherwise size its pool on the host's cores, not ours.
            "INFERENCE_NUM_THREADS": threads,
            "PERFORMANCE_HINT": "LATENCY",
            # bf16 keeps fp32's exponent range: no overflow in Gemma's residual stream.
            "INFERENCE_PRECISION_HINT": "bf16" if "BF16" in capabilities else "f32",
        }
        self.runtime = f"{RUNTIME}-{config['INFERENCE_PRECISION_HINT']}"
        compiled = core.compile_model(core.read_model(str(optimized / MODEL_FILE)), "CPU", config)
        self._request = compiled.create_infer_request()
        # One request at a time: two concurrent runs on 2 cores only thrash each other.
        self._lock = threading.Lock()
        prompts = json.loads((weights / "config_sentence_transformers.json").read_text())["prompts"]
        self.query_prompt: str = prompts["query"]
        self.document_prompt: str = prompts["document"]
        self._model_id = model_id
        self._batch_size = batch_size
        self._dimension = int(compiled.outputs[0].get_partial_shape()[-1].get_length())
        self._queries = QueryBatcher(self._embed_queries, batch_size)

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dimension(self) -> int:
        return self._dimension

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        # Passages keep their own lengths: for a few hundred tokens the padding to a fixed
        # width would cost more than the change of shape.
        return self._embed([self.document_prompt + text for text in texts], ()).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._queries.embed(self.query_prompt + text).tolist()

    def _embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, QUERY_WIDTHS)

    def _embed(self, texts: Sequence[str], widths: Sequence[int]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        ids = [encoding.ids for encoding in self._tokenizer.encode_batch(list(texts))]
        # Sorted by length, a batch pads to nearly nothing: padding costs like text.
        order = sorted(range(len(ids)), key=lambda index: len(ids[index]))
        vectors = np.zeros((len(ids), self._dimension), dtype=np.float32)
        for start in range(0, len(order), self._batch_size):
            batch = order[start : start + self._batch_size]
            longest = max(len(ids[index]) for index in batch)
            width = next((width for width in widths if width >= longest), longest)
            input_ids = np.zeros((len(batch), width), dtype=np.int64)  # pad id 0, right side
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, index in enumerate(batch):
                input_ids[row, : len(ids[index])] = ids[index]
                mask[row, : len(ids[index])] = 1
            with self._lock:
                result = self._request.infer({"input_ids": input_ids, "attention_mask": mask})
                vectors[batch] = result.to_tuple()[0]
        # The graph normalises in bf16; renormalise so the dot product is the cosine.
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
