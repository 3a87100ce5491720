"""Podcast audio: real espeak-ng chunks joined and encoded by ffmpeg, measured with ffprobe/numpy."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from app.services.llm.offline.tasks.podcast_script import build_script
from app.services.study.podcast_audio import (
    GAP_SECONDS,
    HOST_VOICES,
    AudioSynthesisError,
    VoiceProfile,
    synthesise_podcast,
)
from tests.media.audio_checks import RATE, decode_mono, median_pitch_hz, probe
from tests.media.conftest import MATERIAL


@pytest.fixture(scope="module")
def turns() -> list[dict]:
    text = MATERIAL.read_text(encoding="utf-8")
    return build_script({"title": "Photosynthesis", "materials": [{"name": "p.txt", "text": text}]})["turns"]


@pytest.fixture(scope="module")
def episode(turns, tmp_path_factory):
    """One synthesis shared by the module's tests (it is the slow part)."""
    out_dir = tmp_path_factory.mktemp("podcasts")
    progress: list[float] = []

    async def record(fraction: float) -> None:
        progress.append(fraction)

    audio = asyncio.run(synthesise_podcast(turns, out_dir, "episode", on_progress=record))
    return audio, progress, out_dir


def test_audio_is_an_mp3_file_in_the_output_folder(episode):
    audio, _, out_dir = episode
    assert audio.path == out_dir / "episode.mp3"
    info = probe(audio.path)
    assert info["format"]["format_name"] == "mp3"
    assert info["streams"][0]["codec_name"] == "mp3"
    assert sorted(p.name for p in out_dir.iterdir()) == ["episode.mp3"]  # no temp chunks left


def test_duration_is_consistent_with_the_script_length(episode, turns):
    audio, _, _ = episode
    words = sum(len(t["text"].split()) for t in turns)
    estimate = words / 150 * 60
    assert 15 < audio.duration_s < 90
    assert estimate / 2 < audio.duration_s < estimate * 2
    assert float(probe(audio.path)["format"]["duration"]) == pytest.approx(audio.duration_s, abs=0.01)


def test_total_duration_is_the_sum_of_the_chunks_and_gaps(episode, turns):
    audio, _, _ = episode
    assert len(audio.chunks) == len(turns)
    spoken = sum(c.duration_s for c in audio.chunks) + GAP_SECONDS * (len(audio.chunks) - 1)
    assert audio.duration_s == pytest.approx(spoken, abs=0.15)  # MP3 frame padding
    last = audio.chunks[-1]
    assert last.start_s + last.duration_s == pytest.approx(spoken, abs=0.01)


def test_each_turn_is_spoken_with_its_hosts_voice(episode, turns):
    audio, _, _ = episode
    for chunk, turn in zip(audio.chunks, turns, strict=True):
        profile = HOST_VOICES[turn["speaker"]]
        assert (chunk.speaker, chunk.voice, chunk.pitch, chunk.speed) == (
            turn["speaker"], profile.voice, profile.pitch, profile.speed
        )
    assert {c.voice for c in audio.chunks} == {HOST_VOICES["A"].voice, HOST_VOICES["B"].voice}


def test_the_two_hosts_sound_different(episode):
    audio, _, _ = episode
    samples = decode_mono(audio.path)

    def pitch_of(speaker: str) -> float:
        parts = [
            samples[int(c.start_s * RATE) : int((c.start_s + c.duration_s) * RATE)]
            for c in audio.chunks if c.speaker == speaker
        ]
        import numpy as np

        return median_pitch_hz(np.concatenate(parts))

    host_a, host_b = pitch_of("A"), pitch_of("B")
    assert host_b > host_a * 1.2, (host_a, host_b)


def test_progress_rises_per_chunk_to_one(episode, turns):
    _, progress, _ = episode
    assert len(progress) == len(turns) + 1
    assert progress == sorted(progress)
    assert progress[0] == pytest.approx(1 / (len(turns) + 1))
    assert progress[-1] == 1.0


async def test_a_failing_chunk_is_named_and_leaves_no_files(turns, tmp_path):
    voices = {"A": HOST_VOICES["A"], "B": VoiceProfile(voice="nonexistent-voice", pitch=50, speed=170)}
    with pytest.raises(AudioSynthesisError) as caught:
        await synthesise_podcast(turns, tmp_path, "broken", voices=voices)
    message = str(caught.value)
    assert message.startswith(f"chunk 2 of {len(turns)} (host B): espeak-ng failed")
    assert "voice does not exist" in message
    assert list(tmp_path.iterdir()) == []


async def test_unsafe_file_names_are_refused(turns, tmp_path):
    with pytest.raises(ValueError):
        await synthesise_podcast(turns, tmp_path, "../escape")
    assert list(tmp_path.iterdir()) == []


async def test_a_script_without_spoken_lines_is_an_error(tmp_path: Path):
    with pytest.raises(AudioSynthesisError, match="no spoken lines"):
        await synthesise_podcast([{"speaker": "A", "text": "  "}], tmp_path, "empty")
