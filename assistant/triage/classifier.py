"""Category of a request: a small classifier on top of our embedder.

Features: the request's embedding, next to the TF-IDF of its French stems (the analyzer
of the evidence check). Agents name their problem with a few telling words
("attestation", "clé", "NVDA") that a sentence embedding dilutes in a long message: on
the held-out requests with the lite embedder, the stems took logistic regression from
0.63 to 0.72 accuracy and nearest centroid from 0.54 to 0.74. With EmbeddingGemma they
change little (centroid 0.77 either way, logistic 0.79 without, 0.77 with: one request of
43), so one feature set serves both profiles.

Two methods, compared on the held-out requests by ``python -m bench.triage``:
multinomial logistic regression (numpy, L2, full-batch gradient descent) and nearest
centroid. Both train in about a second; embedding the training requests is what costs
(about a minute with EmbeddingGemma on 2 cores), so the trained model is cached under the
data dir, keyed by the embedder's model id and the hash of the labelled data.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from assistant.sentences import stems
from assistant.triage.dataset import LabelledRequest, data_hash, load_requests
from assistant.triage.taxonomy import Category
from knowledge.protocols import Embedder

logger = logging.getLogger(__name__)

Matrix = NDArray[np.float64]
CATEGORIES = tuple(Category)

# Centroid similarities are cosines in a narrow band; scaled before the softmax so that
# the confidence is spread like a probability rather than flat around 1/10.
_CENTROID_TEMPERATURE = 0.05
_LEARNING_RATE = 4.0
_EPOCHS = 1500
_L2 = 1e-3


class Method(StrEnum):
    LOGISTIC = "logistic"
    CENTROID = "centroid"


@dataclass(frozen=True, slots=True)
class Prediction:
    category: Category
    confidence: float


@dataclass(frozen=True, slots=True)
class LinearClassifier:
    """Softmax over ``vectors @ weights + bias``: logistic regression, or the centroids
    with their cosine scaled by a temperature."""

    weights: Matrix
    bias: Matrix

    def predict(self, vectors: Matrix) -> list[Prediction]:
        probabilities = _softmax(vectors @ self.weights + self.bias)
        best = probabilities.argmax(axis=1)
        return [
            Prediction(CATEGORIES[index], float(row[index]))
            for index, row in zip(best, probabilities, strict=True)
        ]


@dataclass(frozen=True, slots=True)
class LexicalFeatures:
    vocabulary: tuple[str, ...]
    idf: Matrix

    @classmethod
    def learn(cls, texts: Sequence[str]) -> LexicalFeatures:
        vocabulary = tuple(sorted({stem for text in texts for stem in stems(text)}))
        counts = _presence(vocabulary, texts).sum(axis=0)
        return cls(vocabulary, np.log(len(texts) / (1 + counts)) + 1)

    def transform(self, texts: Sequence[str]) -> Matrix:
        weighted = _presence(self.vocabulary, texts) * self.idf
        norms = np.linalg.norm(weighted, axis=1, keepdims=True)
        result: Matrix = weighted / np.maximum(norms, 1e-9)
        return result


@dataclass(frozen=True, slots=True)
class TextClassifier:
    """Embedding and stems in, category out."""

    lexical: LexicalFeatures
    linear: LinearClassifier

    def predict(self, embedder: Embedder, texts: Sequence[str]) -> list[Prediction]:
        return self.predict_embedded(embed(embedder, texts), texts)

    def predict_embedded(self, vectors: Matrix, texts: Sequence[str]) -> list[Prediction]:
        return self.linear.predict(np.hstack([vectors, self.lexical.transform(texts)]))


def fit(method: Method, vectors: Matrix, labels: Sequence[Category]) -> LinearClassifier:
    targets = np.array([CATEGORIES.index(label) for label in labels])
    if method is Method.CENTROID:
        centroids = np.stack([vectors[targets == k].mean(axis=0) for k in range(len(CATEGORIES))])
        centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
        return LinearClassifier(
            centroids.T / _CENTROID_TEMPERATURE, np.zeros(len(CATEGORIES), dtype=np.float64)
        )
    onehot = np.eye(len(CATEGORIES))[targets]
    weights = np.zeros((vectors.shape[1], len(CATEGORIES)))
    bias = np.zeros(len(CATEGORIES))
    for _ in range(_EPOCHS):
        error = _softmax(vectors @ weights + bias) - onehot
        weights -= _LEARNING_RATE * (vectors.T @ error / len(vectors) + _L2 * weights)
        bias -= _LEARNING_RATE * error.mean(axis=0)
    return LinearClassifier(weights, bias)


def embed(embedder: Embedder, texts: Sequence[str]) -> Matrix:
    return np.asarray(embedder.embed_documents(list(texts)), dtype=np.float64)


def train(method: Method, vectors: Matrix, examples: Sequence[LabelledRequest]) -> TextClassifier:
    texts = [example.text for example in examples]
    lexical = LexicalFeatures.learn(texts)
    features = np.hstack([vectors, lexical.transform(texts)])
    return TextClassifier(lexical, fit(method, features, [e.category for e in examples]))


def trained_classifier(
    embedder: Embedder,
    method: Method,
    cache_dir: Path | None,
    examples: Sequence[LabelledRequest] | None = None,
) -> TextClassifier:
    """The classifier trained on ``examples`` (default: every shipped request, held-out
    part included, since the service should learn from all we wrote), cached on disk."""
    if examples is None:
        examples = load_requests()
        key_data = data_hash()
    else:
        key_data = hashlib.sha256("\n".join(e.id for e in examples).encode()).hexdigest()[:16]
    model_key = hashlib.sha256(embedder.model_id.encode()).hexdigest()[:12]
    path = cache_dir / f"triage-{method.value}-{model_key}-{key_data}.npz" if cache_dir else None
    if path is not None and path.is_file():
        try:
            with np.load(path) as stored:
                lexical = LexicalFeatures(tuple(stored["vocabulary"].tolist()), stored["idf"])
                return TextClassifier(lexical, LinearClassifier(stored["weights"], stored["bias"]))
        except (OSError, ValueError, KeyError):
            logger.warning("triage classifier cache unreadable, retraining: %s", path)
    classifier = train(method, embed(embedder, [e.text for e in examples]), examples)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = path.with_suffix(".tmp.npz")
        np.savez(
            staging,
            weights=classifier.linear.weights,
            bias=classifier.linear.bias,
            vocabulary=np.array(classifier.lexical.vocabulary),
            idf=classifier.lexical.idf,
        )
        staging.replace(path)
    return classifier


def _presence(vocabulary: Sequence[str], texts: Sequence[str]) -> Matrix:
    index = {stem: position for position, stem in enumerate(vocabulary)}
    matrix = np.zeros((len(texts), len(vocabulary)))
    for row, text in enumerate(texts):
        for stem in stems(text):
            if stem in index:
                matrix[row, index[stem]] = 1.0
    return matrix


def _softmax(logits: Matrix) -> Matrix:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    result: Matrix = shifted / shifted.sum(axis=1, keepdims=True)
    return result
