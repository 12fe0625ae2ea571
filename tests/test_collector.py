import gc

import pytest

from matchgate.collector import collector_paused


def test_the_collector_is_paused_in_the_block_and_enabled_after_it() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block did not disable it, so it leaves it off
    assert gc.isenabled()


def test_the_collector_is_enabled_again_when_the_block_fails() -> None:
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("boom")
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
