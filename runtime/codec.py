"""Every payload the project sends to Temporal is encrypted: AES-256-GCM, keys that rotate.

Party names, phones and id numbers travel in a case's input, updates and queries, so they would
sit in Temporal's history and database in plain JSON. `data_converter()` is the one converter
every client and worker of the project uses (worker, starter, schedules, tests, the API): the
pydantic converter, then `EncryptionCodec`, so the server only ever holds ciphertext.

Keys (32 random bytes each) live in a key file, one per line, `KEY_ID BASE64_KEY`, newest last;
`#` starts a comment. The newest key encrypts; every key in the file decrypts, so rotating is
appending a line (`python starter.py keys rotate`) and old cases stay readable. A key id is the
key's fingerprint, so a changed key can never pass for an old one. Where the keys come from:

- `DISPUTE_PAYLOAD_KEYS`: the key file's text itself (lines, or entries separated by `;`), for
  secrets injected by the environment;
- else `DISPUTE_PAYLOAD_KEY_FILE`: the key file's path;
- else `<data dir>/keys/payload.keys`, which `make run` creates (mode 0600) the first time and
  never overwrites.

A worker refuses a plaintext payload (`data_converter(refuse_plaintext=True)`): whoever
reaches Temporal's port without the keys cannot hand the workflows an input. The codec turns
such a payload into one no converter reads (encoding `refused/plaintext-payload`), so an update
or a query carrying it is rejected, a signal dropped, and the refusal queued for the audit
(runtime/refusals.py). `DISPUTE_ACCEPT_PLAINTEXT=1` lets a worker open plaintext payloads
again, for cases started before encryption, while they finish. Elsewhere (the starter, the
API, replaying saved histories) a plaintext payload passes through `decode` untouched.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import os
import time
from collections.abc import Sequence
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import (
    DataConverter,
    PayloadCodec,
    SerializationContext,
    WithSerializationContext,
)

from runtime import config
from runtime.refusals import Refusal, refusals
from runtime.settings import settings
from runtime.text import _

ENCODING = b"binary/encrypted"
KEY_ID_FIELD = "encryption-key-id"
#: The workflow whose payload it is (not secret: Temporal shows workflow ids anyway), bound
#: into the tag, so the codec server can tell whose case a payload belongs to.
WORKFLOW_FIELD = "dispute-workflow-id"
KEYS_ENV = "DISPUTE_PAYLOAD_KEYS"
KEY_FILE_ENV = "DISPUTE_PAYLOAD_KEY_FILE"
ACCEPT_PLAINTEXT_ENV = "DISPUTE_ACCEPT_PLAINTEXT"
#: What a refused plaintext payload becomes: an encoding no payload converter reads.
REFUSED_ENCODING = b"refused/plaintext-payload"
PLAINTEXT_REASON = "plaintext payload refused: inputs must be encrypted with the project's keys"
NONCE_BYTES = 12
KEY_BYTES = 32
KEY_FILE_HEADER = (
    "# Payload encryption keys (AES-256-GCM): KEY_ID BASE64_KEY, newest last.\n"
    "# The newest key encrypts; all decrypt. Never delete a line while a case encrypted with\n"
    "# it may still be read. Keep this file secret (mode 0600) and back it up with the data.\n"
)


class PayloadKeyError(config.ConfigError):
    """The keys are missing, unreadable, or do not open a payload; the message says which."""


def key_id(key: bytes) -> str:
    """The key's fingerprint: names the key in each payload without revealing it."""
    return "k" + hashlib.sha256(b"dispute-engine payload key\0" + key).hexdigest()[:12]


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def key_line(key: bytes) -> str:
    return f"{key_id(key)} {base64.b64encode(key).decode()}\n"


def default_key_file() -> Path:
    return config.data_dir() / "keys" / "payload.keys"


def key_file() -> Path:
    """The key file in force (`DISPUTE_PAYLOAD_KEY_FILE`, else the data dir's)."""
    override = settings().payload_key_file
    return Path(override).resolve() if override else default_key_file()


def parse_keys(text: str, source: str) -> dict[str, bytes]:
    """Key id -> key, oldest first; errors name the source and the line."""
    keys: dict[str, bytes] = {}
    entries = [
        (number, entry.strip())
        for number, line in enumerate(text.splitlines(), start=1)
        for entry in line.split("#", 1)[0].split(";")
    ]
    for number, entry in entries:
        if not entry:
            continue
        where = f"{source} line {number}"
        parts = entry.split()
        if len(parts) != 2:
            raise PayloadKeyError(f"{where}: expected 'KEY_ID BASE64_KEY'")
        name, encoded = parts
        try:
            key = base64.b64decode(encoded, validate=True)
        except ValueError:
            raise PayloadKeyError(f"{where}: key {name} is not base64") from None
        if len(key) != KEY_BYTES:
            raise PayloadKeyError(f"{where}: key {name} has {len(key)} bytes, needs {KEY_BYTES}")
        if key_id(key) != name:
            raise PayloadKeyError(
                f"{where}: key id {name} does not match its key (it is {key_id(key)}): "
                "a key was changed by hand; restore the original line"
            )
        keys[name] = key
    if not keys:
        raise PayloadKeyError(f"{source}: no key in it")
    return keys


class KeyRing:
    """The keys in force; reloads its file when it changes, so a running worker picks up a
    rotation without restarting (it meets payloads encrypted with the new key)."""

    def __init__(self, keys: dict[str, bytes], source: str, path: Path | None = None) -> None:
        self.keys, self.source, self.path = dict(keys), source, path
        self._stamp = self._file_stamp()

    @classmethod
    def load(cls) -> KeyRing:
        """The keys from the environment or the key file; a clear error if there are none."""
        inline = settings().payload_keys
        if inline:
            return cls(parse_keys(inline, KEYS_ENV), KEYS_ENV)
        path = key_file()
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            message = _(
                "no payload encryption key: {path} does not exist. `make run` creates it; or set "
                "{keys_env} (the key lines) or {file_env} (a key file). Without the keys that "
                "encrypted the cases, they cannot be read"
            )
            raise PayloadKeyError(
                message.format(path=path, keys_env=KEYS_ENV, file_env=KEY_FILE_ENV)
            ) from None
        except OSError as err:
            message = _("cannot read key file {path}: {why}")
            raise PayloadKeyError(message.format(path=path, why=err.strerror)) from None
        return cls(parse_keys(text, str(path)), str(path), path)

    @classmethod
    def generate(cls) -> KeyRing:
        """A ring of one fresh key held in memory (tests)."""
        key = new_key()
        return cls({key_id(key): key}, "generated keys")

    @property
    def newest(self) -> str:
        return next(reversed(self.keys))

    def as_text(self) -> str:
        """The key file's lines (for `DISPUTE_PAYLOAD_KEYS` or a key file)."""
        return "".join(key_line(key) for key in self.keys.values())

    def _file_stamp(self) -> tuple[int, int] | None:
        if self.path is None:
            return None
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return (stat.st_mtime_ns, stat.st_size)

    def refresh(self) -> None:
        """Re-read the key file if it changed since it was read (a rotation)."""
        if self.path is None or self._file_stamp() == self._stamp:
            return
        try:
            keys = parse_keys(self.path.read_text(encoding="utf-8"), str(self.path))
        except (OSError, PayloadKeyError):
            return  # a half-written or broken file: keep the keys that work
        self.keys, self._stamp = keys, self._file_stamp()

    def get(self, name: str) -> bytes:
        if name not in self.keys:
            self.refresh()
        try:
            return self.keys[name]
        except KeyError:
            raise PayloadKeyError(
                f"a payload is encrypted with key {name}, which {self.source} does not hold "
                f"(it holds {', '.join(self.keys)}): restore the key file that encrypted the "
                "cases (see README, Privacy)"
            ) from None


#: Workflow id -> when its last plaintext refusal was audited: a workflow started in plaintext
#: fails its task again and again; one audit line a minute says it.
_reported: dict[str, float] = {}


class EncryptionCodec(PayloadCodec, WithSerializationContext):
    """AES-256-GCM over each whole serialized payload; the key id travels in the metadata and
    is bound into the tag as associated data. With `refuse_plaintext`, a payload that is not
    encrypted is refused (see the module's docstring)."""

    def __init__(
        self, ring: KeyRing, *, refuse_plaintext: bool = False, workflow_id: str | None = None
    ) -> None:
        self.ring = ring
        self.refuse_plaintext = refuse_plaintext
        self.workflow_id = workflow_id

    def with_context(self, context: SerializationContext) -> EncryptionCodec:
        """The same codec for one workflow's payloads: it binds the workflow id into each
        payload it seals, and names it in the audit of a refused plaintext payload."""
        wid = getattr(context, "workflow_id", None)
        return EncryptionCodec(self.ring, refuse_plaintext=self.refuse_plaintext, workflow_id=wid)

    def _refused(self) -> Payload:
        wid = self.workflow_id or "?"
        now = time.monotonic()
        if now - _reported.get(wid, -3600.0) >= 60:
            _reported[wid] = now
            refusals.put(Refusal(wid, "(plaintext payload)", "", PLAINTEXT_REASON))
        return Payload(metadata={"encoding": REFUSED_ENCODING}, data=b"")

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        self.ring.refresh()
        name = self.ring.newest
        aead = AESGCM(self.ring.keys[name])
        out = []
        metadata = {"encoding": ENCODING, KEY_ID_FIELD: name.encode()}
        if self.workflow_id:
            metadata[WORKFLOW_FIELD] = self.workflow_id.encode()
        bound = _associated(name, self.workflow_id)
        for payload in payloads:
            nonce = os.urandom(NONCE_BYTES)
            sealed = aead.encrypt(nonce, payload.SerializeToString(), bound)
            out.append(Payload(metadata=metadata, data=nonce + sealed))
        return out

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.open(payload) for payload in payloads]

    def open(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            if self.refuse_plaintext:
                return self._refused()
            return payload  # written before encryption: plain, and readable as it is
        name = payload.metadata.get(KEY_ID_FIELD, b"").decode()
        key = self.ring.get(name)
        bound = _associated(name, workflow_of(payload))
        try:
            plain = AESGCM(key).decrypt(
                payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:], bound
            )
        except InvalidTag:
            raise PayloadKeyError(
                f"a payload under key {name} does not decrypt: it was altered, or key {name} "
                f"in {self.ring.source} is not the one that encrypted it"
            ) from None
        return Payload.FromString(plain)


def _associated(key_name: str, workflow_id: str | None) -> bytes:
    """What the tag binds besides the data: the key's id, and the workflow id when known
    (payloads sealed before it was bound name only the key)."""
    return key_name.encode() + (b"\0" + workflow_id.encode() if workflow_id else b"")


def workflow_of(payload: Payload) -> str | None:
    """The workflow an encrypted payload was sealed for (None: sealed without one)."""
    raw = payload.metadata.get(WORKFLOW_FIELD)
    return raw.decode() if raw else None


def data_converter(ring: KeyRing | None = None, *, refuse_plaintext: bool = False) -> DataConverter:
    """The project's data converter: pydantic models, encrypted (keys from `KeyRing.load()`
    unless a ring is given); a worker's refuses plaintext payloads unless
    `DISPUTE_ACCEPT_PLAINTEXT=1`."""
    refuse = refuse_plaintext and settings().accept_plaintext != "1"
    codec = EncryptionCodec(ring or KeyRing.load(), refuse_plaintext=refuse)
    return dataclasses.replace(pydantic_data_converter, payload_codec=codec)


def ensure_key_file() -> str:
    """Create the key file with one fresh key if there is none (mode 0600, in a 0700 folder);
    never overwrite one. Returns what was done, for `make run` to print."""
    if inline := settings().payload_keys:
        parse_keys(inline, KEYS_ENV)
        return _("using {source}").format(source=KEYS_ENV)
    path = key_file()
    if path.exists():
        ring = KeyRing.load()
        using = _("using {path} ({count} key(s), newest {newest})")
        return using.format(path=path, count=len(ring.keys), newest=ring.newest)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = new_key()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _("using {source}").format(source=path)  # another process made it first
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(KEY_FILE_HEADER + key_line(key))
    created = _("created {path} with key {key_id}: back it up, cases cannot be read without it")
    return created.format(path=path, key_id=key_id(key))


def rotate_key_file() -> str:
    """Append a fresh key to the key file (it becomes the newest: new payloads use it); the old
    keys stay, so old cases stay readable. Returns the new key's id."""
    if settings().payload_keys:
        message = _(
            "keys come from {env}: rotate by appending a line to it ({line} is a fresh one) "
            "wherever it is set"
        )
        raise PayloadKeyError(message.format(env=KEYS_ENV, line=repr(key_line(new_key()))))
    ring = KeyRing.load()
    path = ring.path
    assert path is not None
    key = new_key()
    text = path.read_text(encoding="utf-8")
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text if text.endswith("\n") else text + "\n")
        out.write(key_line(key))
    os.replace(tmp, path)
    return key_id(key)
