"""Hostile and broken archives: refused with the member named, never extracted anywhere."""

from __future__ import annotations

import io
import tarfile
import zipfile

import pytest

from ingest.errors import CorruptFileError, EncryptedFileError, UnsafeArchiveError
from ingest.loaders.archive import open_archive
from ingest.loaders.base import LoadOptions, SourceFile

PAGE = "# Page\n\nDu texte."
# A few MB of zeros deflate to a few KB: a ratio near 1000:1.
ZEROS = b"\0" * (3 * 1024 * 1024)


def tar_with(*members: tarfile.TarInfo, payload: bytes = b"") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for member in members:
            archive.addfile(member, io.BytesIO(payload) if member.isfile() else None)
    return buffer.getvalue()


def tar_member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    member = tarfile.TarInfo(name)
    member.type = kind
    member.linkname = link
    return member


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../../etc/cron.d/evil.md", "path traversal"),
        ("docs/../../evil.md", "path traversal"),
        ("..\\windows\\evil.md", "path traversal"),
        ("/etc/evil.md", "absolute path"),
        ("C:/Windows/evil.md", "absolute path"),
    ],
)
@pytest.mark.parametrize("extension", [".zip", ".tar.gz", ".mbz"])
def test_paths_leaving_the_archive_are_refused(
    load, zip_of, tar_of, name: str, reason: str, extension: str
) -> None:
    build = zip_of if extension == ".zip" else tar_of
    with pytest.raises(UnsafeArchiveError, match=reason) as raised:
        load(f"lot{extension}", build({"ok.md": PAGE, name: PAGE}))
    assert raised.value.source == f"lot{extension}"
    assert repr(name) in raised.value.detail


@pytest.mark.parametrize(
    ("member", "reason"),
    [
        (tar_member("lien.md", tarfile.SYMTYPE, "/etc/passwd"), "link to '/etc/passwd'"),
        (tar_member("dur.md", tarfile.LNKTYPE, "ok.md"), "link to 'ok.md'"),
        (tar_member("tty", tarfile.CHRTYPE), "device or special file"),
        (tar_member("tube", tarfile.FIFOTYPE), "device or special file"),
    ],
)
def test_links_and_devices_in_tars_are_refused(load, member: tarfile.TarInfo, reason) -> None:
    with pytest.raises(UnsafeArchiveError, match=reason) as raised:
        load("lot.tar.gz", tar_with(member))
    assert member.name in raised.value.detail


def test_symlink_in_a_zip_is_refused(load) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("lien.md")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
    with pytest.raises(UnsafeArchiveError, match=r"'lien\.md': symbolic link"):
        load("lot.zip", buffer.getvalue())


@pytest.mark.parametrize("extension", [".zip", ".tar.gz"])
def test_too_many_members(load, zip_of, tar_of, extension: str) -> None:
    build = zip_of if extension == ".zip" else tar_of
    members = {f"page{n}.md": PAGE for n in range(5)}
    with pytest.raises(UnsafeArchiveError, match="members"):
        load(f"lot{extension}", build(members), LoadOptions(max_archive_members=4))


@pytest.mark.parametrize("extension", [".zip", ".tar.gz", ".tar"])
def test_member_over_the_size_limit(load, zip_of, tar_of, extension: str) -> None:
    members = {"petit.md": PAGE, "gros.md": "# Gros\n\n" + "texte " * 2000}
    data = (
        zip_of(members)
        if extension == ".zip"
        else tar_of(members, compressed=extension == ".tar.gz")
    )
    with pytest.raises(UnsafeArchiveError, match=r"gros\.md: .*limit"):
        load(f"lot{extension}", data, LoadOptions(max_member_bytes=4000))


@pytest.mark.parametrize("extension", [".zip", ".tar.gz"])
def test_archive_total_over_the_size_limit(load, zip_of, tar_of, extension: str) -> None:
    build = zip_of if extension == ".zip" else tar_of
    members = {f"page{n}.md": "# P\n\n" + "mot " * 5000 for n in range(4)}
    with pytest.raises(UnsafeArchiveError, match=r"page[0-9]\.md: archive expands past"):
        load(f"lot{extension}", build(members), LoadOptions(max_archive_bytes=50_000))


@pytest.mark.parametrize("extension", [".zip", ".tar.gz"])
def test_zip_bomb_is_refused_on_its_compression_ratio(load, zip_of, tar_of, extension: str) -> None:
    build = zip_of if extension == ".zip" else tar_of
    with pytest.raises(UnsafeArchiveError, match=r"zeros\.txt: compression ratio over 100:1"):
        load(f"bombe{extension}", build({"zeros.txt": ZEROS}))


def test_sizes_are_counted_while_inflating_not_taken_from_headers(zip_of) -> None:
    data = bytearray(zip_of({"zeros.txt": ZEROS}))
    # Make both headers claim 10 bytes: the limits see 10, inflating finds out the truth.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = data.index(signature) + offset
        data[start : start + 4] = (10).to_bytes(4, "little")
    archive = open_archive(SourceFile("menteur.zip", "menteur.zip", bytes(data)), LoadOptions())
    with pytest.raises((UnsafeArchiveError, CorruptFileError), match=r"zeros\.txt"):
        archive["zeros.txt"]


def test_gzip_stream_is_capped_while_inflating(tar_of) -> None:
    data = tar_of({"zeros.txt": ZEROS})
    source = SourceFile("bombe.tar.gz", "bombe.tar.gz", data)
    with pytest.raises(UnsafeArchiveError, match=r"zeros\.txt"):
        open_archive(source, LoadOptions(max_archive_ratio=1000, max_archive_bytes=1024 * 1024))


def test_archives_nested_too_deep_are_refused(load, zip_of) -> None:
    data = zip_of({"page.md": PAGE})
    for depth in range(4):
        data = zip_of({f"niveau{depth}.zip": data})
    with pytest.raises(UnsafeArchiveError, match="nested"):
        load("poupee.zip", data)


def test_encrypted_member_is_reported(zip_of) -> None:
    data = bytearray(zip_of({"secret.md": PAGE}))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        data[data.index(signature) + offset] |= 0x1
    archive = open_archive(SourceFile("lot.zip", "lot.zip", bytes(data)), LoadOptions())
    with pytest.raises(EncryptedFileError, match=r"secret\.md"):
        archive["secret.md"]


@pytest.mark.parametrize("extension", [".zip", ".tar.gz", ".mbz"])
def test_truncated_archives_are_corrupt(load, zip_of, tar_of, extension: str) -> None:
    build = zip_of if extension == ".zip" else tar_of
    data = build({f"page{n}.md": "# P\n\n" + "mot varié " * 300 + str(n) for n in range(3)})
    with pytest.raises(CorruptFileError) as raised:
        load(f"lot{extension}", data[: len(data) // 2])
    assert raised.value.source == f"lot{extension}"


def test_bad_member_is_skipped_good_ones_kept(load, zip_of) -> None:
    documents = load("lot.zip", zip_of({"bon.md": PAGE, "casse.docx": b"PK\x03\x04 broken"}))
    assert [d.source for d in documents] == ["lot.zip!/bon.md"]
