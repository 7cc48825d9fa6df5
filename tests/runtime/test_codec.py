"""The payload codec and its keys: encryption, rotation, plain pass-through, clear errors."""

from __future__ import annotations

import base64
import os
import stat

import pytest
from temporalio.api.common.v1 import Payload

from runtime import codec
from runtime.codec import (
    ENCODING,
    KEY_ID_FIELD,
    EncryptionCodec,
    KeyRing,
    PayloadKeyError,
    data_converter,
    ensure_key_file,
    key_line,
    new_key,
    parse_keys,
    rotate_key_file,
)

pytestmark = pytest.mark.usefixtures("english")

SECRET = "王某 13912345678 110101199003071234".encode()


def plain(data: bytes = SECRET) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=data)


@pytest.fixture
def key_file(tmp_path, monkeypatch):
    """A key file of this test's own (and no inline keys from the environment)."""
    monkeypatch.delenv(codec.KEYS_ENV, raising=False)
    path = tmp_path / "keys" / "payload.keys"
    monkeypatch.setenv(codec.KEY_FILE_ENV, str(path))
    return path


async def test_encoded_payload_hides_the_data_names_its_key_and_decodes_back():
    ring = KeyRing.generate()
    sealed = (await EncryptionCodec(ring).encode([plain()]))[0]
    assert sealed.metadata["encoding"] == ENCODING
    assert sealed.metadata[KEY_ID_FIELD].decode() == ring.newest
    assert SECRET not in sealed.SerializeToString()
    assert (await EncryptionCodec(ring).decode([sealed]))[0] == plain()


async def test_same_payload_encrypts_differently_each_time():
    ring = KeyRing.generate()
    first, second = await EncryptionCodec(ring).encode([plain(), plain()])
    assert first.data != second.data


async def test_payload_without_the_marker_passes_through_decode():
    """Histories recorded before encryption still decode (and replay)."""
    assert (await EncryptionCodec(KeyRing.generate()).decode([plain()]))[0] == plain()


async def test_a_key_the_ring_lacks_is_named_in_the_error():
    sealed = (await EncryptionCodec(KeyRing.generate()).encode([plain()]))[0]
    other = KeyRing.generate()
    with pytest.raises(PayloadKeyError, match=sealed.metadata[KEY_ID_FIELD].decode()):
        await EncryptionCodec(other).decode([sealed])


async def test_an_altered_payload_is_refused():
    ring = KeyRing.generate()
    sealed = (await EncryptionCodec(ring).encode([plain()]))[0]
    # Flip a bit of the tag (setting a byte could leave it as it was, 1 run in 256).
    tampered = Payload(
        metadata=sealed.metadata, data=sealed.data[:-1] + bytes([sealed.data[-1] ^ 1])
    )
    with pytest.raises(PayloadKeyError, match="does not decrypt"):
        await EncryptionCodec(ring).decode([tampered])


async def test_after_rotation_the_newest_key_encrypts_and_all_decrypt():
    old = KeyRing.generate()
    before = (await EncryptionCodec(old).encode([plain()]))[0]
    key = new_key()
    rotated = KeyRing(parse_keys(old.as_text() + key_line(key), "test"), "test")
    after = (await EncryptionCodec(rotated).encode([plain()]))[0]
    assert after.metadata[KEY_ID_FIELD].decode() == rotated.newest != old.newest
    assert await EncryptionCodec(rotated).decode([before, after]) == [plain(), plain()]


async def test_data_converter_round_trips_a_model_through_the_codec():
    from tests.factories import intake

    converter = data_converter(KeyRing.generate())
    payloads = await converter.encode([intake("T-1")])
    assert "王某".encode() not in payloads[0].SerializeToString()
    assert await converter.decode(payloads, [type(intake())]) == [intake("T-1")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no key in it"),
        ("# only a comment\n", "no key in it"),
        ("kabc\n", "line 1: expected 'KEY_ID BASE64_KEY'"),
        ("kabc !!notbase64!!\n", "line 1: key kabc is not base64"),
        (f"kabc {base64.b64encode(b'short').decode()}\n", "has 5 bytes, needs 32"),
        (f"kabc {base64.b64encode(bytes(32)).decode()}\n", "does not match its key"),
    ],
)
def test_bad_key_text_is_refused_naming_the_line(text, message):
    with pytest.raises(PayloadKeyError, match=message):
        parse_keys(text, "keys.txt")


def test_inline_keys_may_be_separated_by_semicolons(monkeypatch):
    a, b = new_key(), new_key()
    monkeypatch.setenv(codec.KEYS_ENV, key_line(a).strip() + ";" + key_line(b).strip())
    ring = KeyRing.load()
    assert list(ring.keys) == [codec.key_id(a), codec.key_id(b)]
    assert ring.newest == codec.key_id(b)


def test_missing_key_file_is_a_clear_error(key_file):
    with pytest.raises(PayloadKeyError, match=r"does not exist\. `make run` creates it"):
        KeyRing.load()


def test_key_file_is_created_once_private_and_never_overwritten(key_file):
    assert ensure_key_file().startswith("created")
    first = key_file.read_text()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    assert ensure_key_file().startswith("using")
    assert key_file.read_text() == first
    assert len(KeyRing.load().keys) == 1


def test_rotation_appends_a_key_keeps_the_old_ones_and_the_file_private(key_file):
    ensure_key_file()
    old = KeyRing.load()
    new_id = rotate_key_file()
    ring = KeyRing.load()
    assert list(ring.keys) == [old.newest, new_id]
    assert ring.newest == new_id
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


async def test_a_running_ring_picks_up_a_rotation_from_its_file(key_file):
    """A worker started before `keys rotate` encrypts with the new key and decrypts payloads
    sealed with it, without a restart."""
    ensure_key_file()
    running = KeyRing.load()
    old_id = running.newest
    new_id = rotate_key_file()
    os.utime(key_file, ns=(0, 0))  # a different stamp even within the file system's tick
    fresh = (await EncryptionCodec(KeyRing.load()).encode([plain()]))[0]
    assert (await EncryptionCodec(running).decode([fresh]))[0] == plain()
    sealed = (await EncryptionCodec(running).encode([plain()]))[0]
    assert sealed.metadata[KEY_ID_FIELD].decode() == new_id != old_id


def test_rotating_inline_keys_says_where_to_add_the_line(monkeypatch):
    monkeypatch.setenv(codec.KEYS_ENV, key_line(new_key()))
    with pytest.raises(PayloadKeyError, match="keys come from DISPUTE_PAYLOAD_KEYS"):
        rotate_key_file()
