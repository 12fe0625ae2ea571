"""The Merkle tree against the Certificate Transparency reference vectors, and its proofs."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matchgate.audit.merkle import (
    EMPTY_ROOT,
    Frontier,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)

# RFC 6962 reference data (certificate-transparency merkle_tree_test): leaf inputs and roots.
CT_LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
LEAVES = [leaf_hash(x) for x in CT_LEAVES]

# (index, size, path) and (old size, new size, path) from the same reference suite.
INCLUSION = [
    (0, 1, []),
    (0, 2, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"]),
    (1, 2, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        3,
        8,
        [
            "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
            "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
]


def test_empty_tree() -> None:
    assert root_hash([]) == EMPTY_ROOT == hashlib.sha256(b"").digest()


@pytest.mark.parametrize("n", range(1, 9))
def test_reference_roots(n: int) -> None:
    assert root_hash(LEAVES[:n]).hex() == CT_ROOTS[n - 1]


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_reference_inclusion_proofs(index: int, size: int, path: list[str]) -> None:
    proof = inclusion_proof(LEAVES[:size], index)
    assert [p.hex() for p in proof] == path
    assert verify_inclusion(LEAVES[index], index, size, proof, bytes.fromhex(CT_ROOTS[size - 1]))


@pytest.mark.parametrize(("old", "new", "path"), CONSISTENCY)
def test_reference_consistency_proofs(old: int, new: int, path: list[str]) -> None:
    proof = consistency_proof(LEAVES[:new], old)
    assert [p.hex() for p in proof] == path
    old_root, new_root = bytes.fromhex(CT_ROOTS[old - 1]), bytes.fromhex(CT_ROOTS[new - 1])
    assert verify_consistency(old, new, old_root, new_root, proof)


def _leaves(n: int, salt: int = 0) -> list[bytes]:
    return [leaf_hash(f"{salt}:{i}".encode()) for i in range(n)]


@given(st.integers(1, 70), st.data())
def test_every_inclusion_proof_verifies_and_wrong_ones_do_not(n: int, data: st.DataObject) -> None:
    leaves = _leaves(n)
    root = root_hash(leaves)
    i = data.draw(st.integers(0, n - 1))
    proof = inclusion_proof(leaves, i)
    # (A path alone does not pin the tree size: the signed checkpoint binds size and root.)
    assert verify_inclusion(leaves[i], i, n, proof, root)
    assert not verify_inclusion(leaf_hash(b"other"), i, n, proof, root)
    assert not verify_inclusion(leaves[i], n, n, proof, root)
    if n > 1:
        j = data.draw(st.integers(0, n - 1).filter(lambda j: j != i))
        assert not verify_inclusion(leaves[i], j, n, proof, root)
        damaged = list(proof)
        k = data.draw(st.integers(0, len(proof) - 1))
        damaged[k] = bytes([damaged[k][0] ^ 1]) + damaged[k][1:]
        assert not verify_inclusion(leaves[i], i, n, damaged, root)
        assert not verify_inclusion(leaves[i], i, n, proof[:-1], root)


@given(st.integers(1, 70), st.data())
def test_every_consistency_proof_verifies_and_forks_do_not(n: int, data: st.DataObject) -> None:
    leaves = _leaves(n)
    m = data.draw(st.integers(0, n))
    proof = consistency_proof(leaves, m)
    old_root, new_root = root_hash(leaves[:m]), root_hash(leaves)
    assert verify_consistency(m, n, old_root, new_root, proof)
    if 0 < m < n:
        # A fork: the same old tree, a new tree that rewrote a leaf before m.
        forked = list(leaves)
        forked[data.draw(st.integers(0, m - 1))] = leaf_hash(b"rewritten")
        assert not verify_consistency(m, n, old_root, root_hash(forked), proof)
        assert not verify_consistency(m, n, root_hash(forked[:m]), new_root, proof)
        assert not verify_consistency(m, n, old_root, new_root, proof[:-1])
    assert not verify_consistency(n + 1, n, new_root, new_root, [])


@given(st.integers(0, 300))
def test_frontier_root_equals_the_recursive_root(n: int) -> None:
    leaves = _leaves(n, salt=1)
    frontier = Frontier()
    for i, leaf in enumerate(leaves):
        frontier.append(leaf)
        assert frontier.size == i + 1
    assert frontier.root() == root_hash(leaves)
    assert frontier.hashes is not None
    assert len(frontier.hashes) == n.bit_count()
    copy = frontier.copy()
    copy.append(leaf_hash(b"x"))
    assert frontier.size == n


def test_frontier_refuses_hashes_that_do_not_fit_its_size() -> None:
    with pytest.raises(ValueError, match="one hash per set bit"):
        Frontier(3, [leaf_hash(b"a")])


def test_proof_requests_outside_the_tree_are_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        inclusion_proof(LEAVES[:3], 3)
    with pytest.raises(ValueError, match="outside"):
        consistency_proof(LEAVES[:3], 4)
    assert not verify_inclusion(LEAVES[0], 0, 1, [b"short"], LEAVES[0])
