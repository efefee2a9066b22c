"""The tagger reads its model file with NumPy: the same arrays as ``torch.load``, no torch imported,
and a file that would run code is refused."""
from __future__ import annotations

import pickle
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from transforms.ner.tagger import MODEL_DIR
from transforms.ner.weights import bio_constraints, read_model

ROOT = Path(__file__).resolve().parents[2]


def test_the_arrays_are_the_ones_torch_loads() -> None:
    from transforms.ner.training import load

    net, feat = load(MODEL_DIR / "ner.pt")
    got = read_model(MODEL_DIR / "ner.pt")
    want = net.state_dict()
    assert set(got.state) == set(want)
    for name, tensor in want.items():
        assert got.state[name].dtype == np.float32 and np.array_equal(got.state[name], tensor.numpy()), name
    assert got.config == net.config and got.featurizer == feat.to_dict()


def test_bio_constraints_allow_i_only_after_its_own_type() -> None:
    from transforms.ner.weights import TAGS

    trans, start = bio_constraints()
    assert trans[TAGS.index("B-PERS"), TAGS.index("I-PERS")] == 0.0
    assert trans[TAGS.index("B-LOC"), TAGS.index("I-PERS")] == -1e4
    assert trans[TAGS.index("O"), TAGS.index("B-ORG")] == 0.0
    assert start[TAGS.index("I-ORG")] == -1e4 and start[TAGS.index("B-ORG")] == 0.0


def test_tagging_does_not_import_torch() -> None:
    """torch costs a tagging process ~220 MB: the default backend must not load it."""
    code = (
        "import sys, polars as pl\n"
        "from transforms.ner import mentions\n"
        "s = pl.DataFrame({'sentence_id': ['d:0'], 'doc_id': ['d'], 'start_char': [0],"
        " 'text': ['قال الرئيس فلاديمير بوتين في موسكو']})\n"
        "m = mentions(s)\n"
        "assert 'بوتين' in ' '.join(m['surface'].to_list()), m\n"
        "print('torch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_a_file_holding_other_objects_is_refused(tmp_path: Path) -> None:
    class Evil:
        def __reduce__(self):
            return (print, ("ran",))

    bad = tmp_path / "ner.pt"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("m/data.pkl", pickle.dumps({"config": {}, "state": Evil(), "featurizer": {}}))
        z.writestr("m/byteorder", "little")
    with pytest.raises(pickle.UnpicklingError, match="builtins.print"):
        read_model(bad)
