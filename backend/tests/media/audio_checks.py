"""Measuring real audio in tests: decode with ffmpeg, estimate pitch with numpy."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np

RATE = 16_000


def probe(path: Path) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
        capture_output=True, text=True, check=True,
    ).stdout
    return json.loads(out)


def decode_mono(path: Path) -> np.ndarray:
    raw = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-ar", str(RATE), "-"],
        capture_output=True, check=True,
    ).stdout
    return np.frombuffer(raw, dtype=np.int16).astype(np.float32) / 32768


def median_pitch_hz(samples: np.ndarray, fmin: float = 60, fmax: float = 400) -> float:
    """Median fundamental frequency of the voiced 40 ms frames (autocorrelation)."""
    frame, pitches = int(0.04 * RATE), []
    window = np.hanning(frame)
    lo, hi = int(RATE / fmax), int(RATE / fmin)
    for start in range(0, len(samples) - frame, frame // 2):
        w = samples[start : start + frame] * window
        if np.sqrt(np.mean(w**2)) < 0.02:
            continue
        ac = np.correlate(w, w, "full")[frame - 1 :]
        lag = lo + int(np.argmax(ac[lo:hi]))
        if ac[lag] / ac[0] > 0.4:
            pitches.append(RATE / lag)
    assert len(pitches) >= 5, "too few voiced frames to measure pitch"
    return float(np.median(pitches))
