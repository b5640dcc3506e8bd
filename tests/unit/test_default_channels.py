"""Which embedding channels an index gets when the user does not say."""

from __future__ import annotations

import pytest

from indexer.pipeline import PRIMARY_CHANNEL, default_embedders


def test_another_model_gets_no_extra_channel_unless_asked() -> None:
    embedders = default_embedders("fake")

    assert list(embedders) == [PRIMARY_CHANNEL]


def test_extra_channels_can_be_asked_for_by_name() -> None:
    embedders = default_embedders("fake", ("use",))

    assert list(embedders) == [PRIMARY_CHANNEL, "use"]
    assert embedders["use"].dimension == 512


def test_an_empty_channel_list_means_the_primary_channel_only() -> None:
    assert list(default_embedders("fake", ())) == [PRIMARY_CHANNEL]


@pytest.mark.model
def test_the_default_model_is_paired_with_the_universal_sentence_encoder() -> None:
    embedders = default_embedders(None)

    assert list(embedders) == [PRIMARY_CHANNEL, "use"]
    assert embedders[PRIMARY_CHANNEL].dimension == 384
    assert embedders["use"].model_id.startswith("google/universal-sentence-encoder")
