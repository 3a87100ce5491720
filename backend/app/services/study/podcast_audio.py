"""Podcast audio: one espeak-ng chunk per turn, joined and encoded with ffmpeg.

Both tools are fixed executables run with argument lists (never a shell); the
spoken text goes to espeak-ng on stdin. Work happens in a private temp folder
inside the destination folder; the finished file is renamed into place only
when every chunk and the encoding succeeded, and the temp folder is always
removed, so a failure leaves nothing half-written behind.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess  # espeak-ng and ffmpeg only, with argument lists; never user code
import tempfile
import wave
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

ESPEAK = "espeak-ng"
FFMPEG = "ffmpeg"
FFPROBE = "ffprobe"
CHUNK_TIMEOUT_S = 120
GAP_SECONDS = 0.35


@dataclass(frozen=True)
class VoiceProfile:
    """espeak-ng settings of one host: voice[+variant], pitch 0-99, speed in words per minute."""

    voice: str
    pitch: int
    speed: int


# Clearly distinct: an American male voice, low and unhurried, and a British
# female variant, high and a little faster.
HOST_VOICES: dict[str, VoiceProfile] = {
    "A": VoiceProfile(voice="en-us", pitch=30, speed=170),
    "B": VoiceProfile(voice="en-gb+f3", pitch=72, speed=180),
}


@dataclass(frozen=True)
class AudioFormat:
    ext: str
    codec: str
    media_type: str
    options: tuple[str, ...]


_FORMATS = (
    AudioFormat("mp3", "libmp3lame", "audio/mpeg", ("-q:a", "5")),
    AudioFormat("ogg", "libvorbis", "audio/ogg", ("-q:a", "3")),
    AudioFormat("m4a", "aac", "audio/mp4", ("-b:a", "96k")),
)
MEDIA_TYPES = {f.ext: f.media_type for f in _FORMATS}


@dataclass
class ChunkInfo:
    """Where one turn sits in the final audio and which voice spoke it."""

    index: int
    speaker: str
    voice: str
    pitch: int
    speed: int
    start_s: float
    duration_s: float


@dataclass
class PodcastAudio:
    path: Path
    format: str
    media_type: str
    duration_s: float
    chunks: list[ChunkInfo]

    def chunk_dicts(self) -> list[dict]:
        return [asdict(c) for c in self.chunks]


class AudioSynthesisError(RuntimeError):
    """Synthesis failed; the message names the chunk (1-based) and the host."""


ProgressCallback = Callable[[float], Awaitable[None]]


@cache
def pick_audio_format() -> AudioFormat:
    """MP3 when ffmpeg has an MP3 encoder, else OGG Vorbis, else AAC in M4A."""
    try:
        out = subprocess.run(  # ffmpeg -encoders
            [FFMPEG, "-hide_banner", "-encoders"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):  # no ffmpeg: fall back to the first format
        out = ""
    available = set(re.findall(r"^\s*A\S*\s+(\S+)", out, re.MULTILINE))
    for fmt in _FORMATS:
        if fmt.codec in available:
            return fmt
    return _FORMATS[0]


async def _run(args: list[str], stdin: bytes | None = None, timeout: float = CHUNK_TIMEOUT_S) -> tuple[int, str]:
    """Run a fixed tool with an argument list; (return code, stderr text)."""
    proc = await asyncio.create_subprocess_exec(  # espeak-ng / ffmpeg (fixed tools)
        *args,
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,  # text in
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        _, err = await asyncio.wait_for(proc.communicate(stdin), timeout)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return -1, f"timed out after {timeout:.0f} s"
    return proc.returncode or 0, err.decode("utf-8", "replace").strip()


def _spoken_text(text: str) -> bytes:
    # Plain text only: no control characters reach the synthesiser.
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", text).strip().encode("utf-8")


async def synthesise_chunk(text: str, profile: VoiceProfile, out_wav: Path) -> None:
    """Speak `text` with `profile` into `out_wav`; raises AudioSynthesisError on failure."""
    code, err = await _run(
        [ESPEAK, "-v", profile.voice, "-p", str(int(profile.pitch)), "-s", str(int(profile.speed)),
         "-w", str(out_wav), "--stdin"],
        stdin=_spoken_text(text),
    )
    if code != 0 or not out_wav.is_file() or out_wav.stat().st_size <= 44:
        raise AudioSynthesisError(f"espeak-ng failed (exit {code}): {err or 'no audio written'}")


def join_wavs(chunk_paths: list[Path], out_wav: Path, gap_s: float = GAP_SECONDS) -> list[tuple[float, float]]:
    """Concatenate same-format WAV chunks with `gap_s` of silence between them.

    Returns each chunk's (start, duration) in seconds within the joined file.
    """
    spans: list[tuple[float, float]] = []
    with wave.open(str(out_wav), "wb") as out:
        params = None
        position = 0
        for i, path in enumerate(chunk_paths):
            with wave.open(str(path), "rb") as chunk:
                frames = chunk.readframes(chunk.getnframes())
                if params is None:
                    params = chunk.getparams()
                    out.setnchannels(params.nchannels)
                    out.setsampwidth(params.sampwidth)
                    out.setframerate(params.framerate)
                elif (chunk.getnchannels(), chunk.getsampwidth(), chunk.getframerate()) != (
                    params.nchannels, params.sampwidth, params.framerate):
                    raise AudioSynthesisError(f"chunk {i + 1} has a different audio format")
            frame_bytes = params.nchannels * params.sampwidth
            if i > 0:
                gap = int(gap_s * params.framerate)
                out.writeframes(b"\x00" * gap * frame_bytes)
                position += gap
            n = len(frames) // frame_bytes
            out.writeframes(frames)
            spans.append((position / params.framerate, n / params.framerate))
            position += n
    return spans


async def probe_duration(path: Path) -> float:
    """The media file's duration in seconds, from ffprobe."""
    proc = await asyncio.create_subprocess_exec(
        FFPROBE, "-v", "error", "-show_entries", "format=duration", "-of", "default=nw=1:nk=1", str(path),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    try:
        return float(out.decode().strip())
    except ValueError as exc:
        raise AudioSynthesisError(f"ffprobe could not read {path.name}: {err.decode(errors='replace')}") from exc


async def synthesise_podcast(
    turns: list[dict],
    dest_dir: Path,
    name: str,
    *,
    voices: dict[str, VoiceProfile] | None = None,
    on_progress: ProgressCallback | None = None,
) -> PodcastAudio:
    """Speak every turn with its host's voice and write `dest_dir/<name>.<ext>`.

    `turns` are `{"speaker": "A"|"B", "text": str}`. Progress goes from 0 to 1:
    one step per chunk plus one for the encoding. On any failure the error names
    the chunk, and neither the final file nor any temp file remains.
    """
    if not re.fullmatch(r"[A-Za-z0-9_\-]+", name):
        raise ValueError(f"unsafe audio file name {name!r}")
    voices = voices or HOST_VOICES
    spoken = [t for t in turns if str(t.get("text", "")).strip()]
    if not spoken:
        raise AudioSynthesisError("the script has no spoken lines")
    fmt = pick_audio_format()
    dest_dir.mkdir(parents=True, exist_ok=True)
    final = dest_dir / f"{name}.{fmt.ext}"
    steps = len(spoken) + 1
    work = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=dest_dir))
    try:
        chunk_paths: list[Path] = []
        for i, turn in enumerate(spoken):
            speaker = turn["speaker"]
            profile = voices.get(speaker) or voices["A"]
            chunk = work / f"chunk-{i:04d}.wav"
            try:
                await synthesise_chunk(turn["text"], profile, chunk)
            except AudioSynthesisError as exc:
                raise AudioSynthesisError(f"chunk {i + 1} of {len(spoken)} (host {speaker}): {exc}") from None
            chunk_paths.append(chunk)
            if on_progress:
                await on_progress((i + 1) / steps)

        joined = work / "joined.wav"
        spans = await asyncio.to_thread(join_wavs, chunk_paths, joined)
        encoded = work / f"encoded.{fmt.ext}"
        code, err = await _run(
            [FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", str(joined),
             "-c:a", fmt.codec, *fmt.options, str(encoded)],
            timeout=600,
        )
        if code != 0 or not encoded.is_file():
            raise AudioSynthesisError(f"ffmpeg could not encode the audio: {err or f'exit {code}'}")
        duration = await probe_duration(encoded)
        encoded.replace(final)  # same folder tree, so an atomic rename
        if on_progress:
            await on_progress(1.0)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    chunks = []
    for i, (turn, (start, length)) in enumerate(zip(spoken, spans, strict=True)):
        profile = voices.get(turn["speaker"]) or voices["A"]
        chunks.append(ChunkInfo(i, turn["speaker"], profile.voice, profile.pitch, profile.speed,
                                round(start, 3), round(length, 3)))
    return PodcastAudio(final, fmt.ext, fmt.media_type, round(duration, 3), chunks)
