"""The body scan that finds file names Django would silently drop (headers not UTF-8)."""

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.common.errors import ApplicationError
from autograder.common.uploads import NameCheckingStream

BOUNDARY = b"----scan7MA4YWxk"


def _body(parts: list[tuple[bytes, bytes]]) -> bytes:
    body = b""
    for raw_name, content in parts:
        body += (
            b"--" + BOUNDARY + b"\r\n"
            b'Content-Disposition: form-data; name="files"; filename="' + raw_name + b'"\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n" + content + b"\r\n"
        )
    return body + b"--" + BOUNDARY + b"--\r\n"


def _read_all(body: bytes, chunk: int) -> bytes:
    stream = NameCheckingStream(io.BytesIO(body), BOUNDARY, "files")
    out = b""
    while piece := stream.read(chunk):
        out += piece
    return out


_contents = st.binary(max_size=300) | st.sampled_from([b"\r\n\r\n", b"--" + BOUNDARY[:-1]])
_good_names = st.sampled_from([b"main.cpp", "résumé.txt".encode(), "数据.py".encode()])


@given(
    parts=st.lists(st.tuples(_good_names, _contents), min_size=1, max_size=4),
    chunk=st.integers(min_value=1, max_value=200),
)
@settings(max_examples=200, deadline=None)
def test_utf8_names_pass_through_unchanged_whatever_the_chunking(
    parts: list[tuple[bytes, bytes]], chunk: int
) -> None:
    body = _body(parts)
    assert _read_all(body, chunk) == body


@given(
    before=st.lists(st.tuples(_good_names, _contents), max_size=3),
    chunk=st.integers(min_value=1, max_value=200),
)
@settings(max_examples=200, deadline=None)
def test_a_latin1_name_is_refused_wherever_it_is_and_however_the_body_is_read(
    before: list[tuple[bytes, bytes]], chunk: int
) -> None:
    body = _body([*before, (b"caf\xe9.py", b"x")])
    with pytest.raises(ApplicationError) as info:
        _read_all(body, chunk)
    reason = info.value.fields["files"][0]
    assert "not valid UTF-8" in reason and "caf\ufffd.py" in reason
